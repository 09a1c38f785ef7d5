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
