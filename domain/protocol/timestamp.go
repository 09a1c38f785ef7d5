package protocol

import (
	"fmt"
	"time"
)

// TimestampLayout is the one text form of a protocol time: RFC 3339 in UTC with
// exactly nine fractional digits. A fixed width matters because times are
// hashed as text: "…05.1Z" and "…05.100000000Z" are the same instant but not
// the same bytes.
const TimestampLayout = "2006-01-02T15:04:05.000000000Z"

// Timestamp is an instant at nanosecond precision, always UTC. The zero value
// means "not set".
type Timestamp struct{ t time.Time }

// NewTimestamp converts t to UTC and drops any monotonic clock reading. Times
// before year 1 or after year 9999 are rejected because they have no
// four-digit-year RFC 3339 form, and so is the zero time (an unset field).
func NewTimestamp(t time.Time) (Timestamp, error) {
	t = t.Round(0).UTC()
	if t.IsZero() {
		return Timestamp{}, fmt.Errorf("%w: zero time", ErrInvalidTimestamp)
	}
	if y := t.Year(); y < 1 || y > 9999 {
		return Timestamp{}, fmt.Errorf("%w: year %d outside 0001-9999", ErrInvalidTimestamp, y)
	}
	return Timestamp{t: t}, nil
}

// ParseTimestamp reads exactly the TimestampLayout form. Other RFC 3339
// spellings of the same instant are refused rather than normalised, so the
// text that was hashed is the text that is stored.
func ParseTimestamp(s string) (Timestamp, error) {
	if t, ok := parseCanonicalTime(s); ok {
		return NewTimestamp(t)
	}
	t, err := time.Parse(TimestampLayout, s)
	if err != nil {
		return Timestamp{}, fmt.Errorf("%w: %q is not %s", ErrInvalidTimestamp, truncate(s), TimestampLayout)
	}
	ts, err := NewTimestamp(t)
	if err != nil {
		return Timestamp{}, err
	}
	if ts.String() != s {
		return Timestamp{}, fmt.Errorf("%w: %q is not in canonical form %s", ErrInvalidTimestamp, truncate(s), TimestampLayout)
	}
	return ts, nil
}

// parseCanonicalTime reads s when it is TimestampLayout with every field in
// range, the form every stored time has, without time.Parse's generality.
// Anything else is left to time.Parse and the checks after it, so errors are
// reported the one way.
func parseCanonicalTime(s string) (time.Time, bool) {
	if len(s) != len(TimestampLayout) {
		return time.Time{}, false
	}
	for i := 0; i < len(s); i++ {
		if c, l := s[i], TimestampLayout[i]; l >= '0' && l <= '9' {
			if c < '0' || c > '9' {
				return time.Time{}, false
			}
		} else if c != l {
			return time.Time{}, false
		}
	}
	year, month, day := digitsAt(s, 0, 4), digitsAt(s, 5, 2), digitsAt(s, 8, 2)
	hour, minute, sec, nsec := digitsAt(s, 11, 2), digitsAt(s, 14, 2), digitsAt(s, 17, 2), digitsAt(s, 20, 9)
	if year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	if t.Day() != day { // 31 April and the like: time.Date normalises, time.Parse refuses
		return time.Time{}, false
	}
	return t, true
}

// digitsAt is the decimal value of s[at:at+n], which holds only digits.
func digitsAt(s string, at, n int) int {
	v := 0
	for _, c := range []byte(s[at : at+n]) {
		v = v*10 + int(c-'0')
	}
	return v
}

// appendTimestamp writes ts in TimestampLayout, as String does, digit by
// digit: every header hash writes one, and time's general formatter is a
// large part of a header's cost.
func appendTimestamp(dst []byte, ts Timestamp) []byte {
	t := ts.t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 { // not from NewTimestamp; let time say how it looks
		return t.AppendFormat(dst, TimestampLayout)
	}
	hour, minute, sec := t.Clock()
	dst = appendDigits(dst, year, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int(month), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, day, 2)
	dst = append(dst, 'T')
	dst = appendDigits(dst, hour, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, minute, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, sec, 2)
	dst = append(dst, '.')
	dst = appendDigits(dst, t.Nanosecond(), 9)
	return append(dst, 'Z')
}

// appendDigits writes the non-negative v as exactly n decimal digits.
func appendDigits(dst []byte, v, n int) []byte {
	start := len(dst)
	for range n {
		dst = append(dst, '0')
	}
	for i := len(dst) - 1; i >= start; i-- {
		dst[i] = byte('0' + v%10)
		v /= 10
	}
	return dst
}

// FormatTimestamp writes t in TimestampLayout after converting it to UTC.
func FormatTimestamp(t time.Time) string { return t.UTC().Format(TimestampLayout) }

// Time returns the instant (UTC).
func (ts Timestamp) Time() time.Time { return ts.t }

// IsZero reports whether ts is unset.
func (ts Timestamp) IsZero() bool { return ts.t.IsZero() }

// String returns the TimestampLayout form.
func (ts Timestamp) String() string { return FormatTimestamp(ts.t) }

// MarshalText refuses the zero value so that an unset time is never written.
func (ts Timestamp) MarshalText() ([]byte, error) {
	if ts.IsZero() {
		return nil, fmt.Errorf("%w: zero time", ErrInvalidTimestamp)
	}
	return []byte(ts.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseTimestamp's rules.
func (ts *Timestamp) UnmarshalText(b []byte) error {
	parsed, err := ParseTimestamp(string(b))
	if err != nil {
		return err
	}
	*ts = parsed
	return nil
}
