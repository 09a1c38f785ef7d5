package projections

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// The appenders below write the hottest documents (one or more per event
// while catching up) the way encoding/json writes them, byte for byte,
// without its reflection and without re-validating and re-compacting the
// output of every MarshalJSON and json.RawMessage inside them. Anything
// unusual (a string needing escapes, a raw value that is not compact) is
// handed to encoding/json itself, so the bytes stay its bytes; the tests
// compare the two on generated documents.

// jsonAppender is a document that writes itself as json.Marshal would.
type jsonAppender interface {
	appendJSON(b []byte) ([]byte, error)
}

// errUseEncodingJSON sends a document the appenders do not write to
// encoding/json, which then writes it (or reports its error) exactly as it
// always has.
var errUseEncodingJSON = errors.New("left to encoding/json")

// appendOrMarshal appends what fields writes of v, or, when it fails,
// what json.Marshal makes of v (or json.Marshal's error).
func appendOrMarshal(b []byte, v any, fields func([]byte) ([]byte, error)) ([]byte, error) {
	if out, err := fields(b); err == nil {
		return out, nil
	}
	doc, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return append(b, doc...), nil
}

// appendString appends s as encoding/json does: quoted, with HTML-safe
// escapes.
func appendString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return appendMarshalled(b, s)
		}
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// appendMarshalled appends what json.Marshal makes of a string. A string
// always marshals.
func appendMarshalled(b []byte, s string) []byte {
	out, _ := json.Marshal(s)
	return append(b, out...)
}

// appendRawJSON appends a JSON value as json.Marshal writes a
// json.RawMessage: compacted, with HTML-safe escapes, "null" for nil. raw
// must be valid JSON (callers hold values encoding/json produced or
// accepted); a value that is not already in that form goes through
// encoding/json.
func appendRawJSON(b []byte, raw json.RawMessage) ([]byte, error) {
	if raw == nil {
		return append(b, "null"...), nil
	}
	if !isCompactSafe(raw) {
		out, err := json.Marshal(raw)
		if err != nil {
			return nil, err
		}
		return append(b, out...), nil
	}
	return append(b, raw...), nil
}

// appendMarshaler appends a value with its own MarshalJSON as json.Marshal
// does (see appendRawJSON for what is asked of the output).
func appendMarshaler(b []byte, m json.Marshaler) ([]byte, error) {
	raw, err := m.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return appendRawJSON(b, raw)
}

// isCompactSafe reports whether compacting raw with HTML escapes would
// leave it as it is: no white space outside strings, none of <, >, & or
// U+2028/U+2029 (whose first byte, 0xE2, is refused outright). An empty
// value is not (encoding/json reports it as an error).
func isCompactSafe(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	inString, escaped := false, false
	for _, c := range raw {
		switch {
		case c == '<' || c == '>' || c == '&' || c == 0xE2:
			return false
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c <= ' ':
			return false
		}
	}
	return true
}

// appendHashHex appends a 32-byte hash as protocol.Hash marshals: its
// lower-case hex, quoted.
func appendHashHex(b []byte, h [32]byte) []byte {
	b = append(b, '"')
	b = hex.AppendEncode(b, h[:])
	return append(b, '"')
}

// appendUUID appends a UUID as its text form, quoted.
func appendUUID(b []byte, u uuid.UUID) []byte {
	var s [36]byte
	hex.Encode(s[0:8], u[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], u[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], u[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], u[8:10])
	s[23] = '-'
	hex.Encode(s[24:], u[10:])
	b = append(b, '"')
	b = append(b, s[:]...)
	return append(b, '"')
}

// appendTime appends t as time.Time's MarshalJSON does, with its error for
// a time RFC 3339 cannot express.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

// appendKey appends a member's name and colon, after a comma unless it is
// the object's first.
func appendKey(b []byte, name string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, name...)
	return append(b, '"', ':')
}

func appendInt(b []byte, n int64) []byte   { return strconv.AppendInt(b, n, 10) }
func appendUint(b []byte, n uint64) []byte { return strconv.AppendUint(b, n, 10) }

// appendList appends items as a JSON array, each written by each.
func appendList[T any](b []byte, items []T, each func([]byte, T) []byte) []byte {
	b = append(b, '[')
	for i, it := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, it)
	}
	return append(b, ']')
}
