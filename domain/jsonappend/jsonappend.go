package jsonappend

import (
	"encoding/hex"
	"encoding/json"
	"unicode/utf8"

	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
)

const hexDigits = "0123456789abcdef"

// htmlSafe marks the ASCII bytes encoding/json copies into a string as they
// are when it escapes HTML: printable ASCII (DEL included) except '"', '\\',
// '<', '>' and '&'.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := byte(0x20); c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

// String appends s as json.Marshal(s) writes it.
func String(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			dst = appendEscapedASCII(dst, c)
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// appendEscapedASCII writes an ASCII byte htmlSafe refuses as encoding/json
// escapes it.
func appendEscapedASCII(dst []byte, c byte) []byte {
	switch c {
	case '\\', '"':
		return append(dst, '\\', c)
	case '\b':
		return append(dst, '\\', 'b')
	case '\f':
		return append(dst, '\\', 'f')
	case '\n':
		return append(dst, '\\', 'n')
	case '\r':
		return append(dst, '\\', 'r')
	case '\t':
		return append(dst, '\\', 't')
	}
	return append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
}

// UUID appends id as json.Marshal writes a uuid.UUID (its MarshalText):
// the 36-character form, quoted, never escaped.
func UUID(dst []byte, id [16]byte) []byte {
	dst = append(dst, '"')
	dst = UUIDText(dst, id)
	return append(dst, '"')
}

// UUIDText appends id's 36-character lower-case form, as uuid.UUID's
// String writes it, unquoted and without allocating.
func UUIDText(dst []byte, id [16]byte) []byte {
	dst = hex.AppendEncode(dst, id[0:4])
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, id[4:6])
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, id[6:8])
	dst = append(dst, '-')
	dst = hex.AppendEncode(dst, id[8:10])
	dst = append(dst, '-')
	return hex.AppendEncode(dst, id[10:])
}

// Strings appends a string list as json.Marshal writes a []string: null
// when nil.
func Strings(dst []byte, list []string) []byte {
	if list == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = String(dst, s)
	}
	return append(dst, ']')
}

// Raw appends raw as json.Marshal writes a json.RawMessage: "null" when nil,
// otherwise validated and compacted with HTML escapes, or json.Marshal's
// error when raw is not one JSON value.
func Raw(dst, raw []byte) ([]byte, error) {
	if raw != nil && IsCompact(raw) && jsonscan.Valid(raw) {
		return append(dst, raw...), nil
	}
	return marshalRaw(dst, raw)
}

// RawList appends list as json.Marshal writes a []json.RawMessage: null
// when nil, each item as Raw writes it.
func RawList(dst []byte, list []json.RawMessage) ([]byte, error) {
	if list == nil {
		return append(dst, "null"...), nil
	}
	dst = append(dst, '[')
	for i, raw := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		var err error
		if dst, err = Raw(dst, raw); err != nil {
			return nil, err
		}
	}
	return append(dst, ']'), nil
}

// ValidRaw is Raw for a value the caller knows is valid JSON (one that
// encoding/json or canonicaljson produced or accepted), which it does not
// check again.
func ValidRaw(dst, raw []byte) ([]byte, error) {
	if raw != nil && IsCompact(raw) {
		return append(dst, raw...), nil
	}
	return marshalRaw(dst, raw)
}

// marshalRaw hands raw to encoding/json: the rare value with white space or
// characters to escape, and nil, which it writes as null.
func marshalRaw(dst, raw []byte) ([]byte, error) {
	out, err := json.Marshal(json.RawMessage(raw))
	if err != nil {
		return nil, err
	}
	return append(dst, out...), nil
}

// IsCompact reports whether compacting the JSON text raw with HTML escapes,
// as encoding/json does with every json.RawMessage and MarshalJSON result,
// would leave it as it is: no white space outside strings, and none of '<',
// '>', '&', U+2028 or U+2029 anywhere. It does not check that raw is valid
// JSON. An empty raw is not compact (encoding/json reports an error for it).
//
// Every byte of every batch passes here, so it skips runs of ordinary bytes
// with a table instead of deciding byte by byte.
func IsCompact(raw []byte) bool {
	if len(raw) == 0 {
		return false
	}
	for i := 0; i < len(raw); {
		for i < len(raw) && !stopOutside[raw[i]] {
			i++
		}
		if i == len(raw) {
			break
		}
		switch c := raw[i]; {
		case c == '"':
			var ok bool
			if i, ok = skipCompactString(raw, i+1); !ok {
				return false
			}
		case c == 0xE2 && !isLineSeparator(raw, i):
			i++
		default:
			return false // white space, '<', '>', '&', U+2028, U+2029
		}
	}
	return true
}

// skipCompactString returns the index after the string whose content starts
// at raw[i], or false when the string holds what compacting escapes.
func skipCompactString(raw []byte, i int) (int, bool) {
	for {
		for i < len(raw) && !stopInString[raw[i]] {
			i++
		}
		if i >= len(raw) {
			return i, true // unterminated: for the validator to refuse
		}
		switch c := raw[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			i += 2 // the escaped byte is never one that matters here
		case c == 0xE2 && !isLineSeparator(raw, i):
			i++
		default:
			return i, false // '<', '>', '&', U+2028, U+2029
		}
	}
}

// isLineSeparator reports whether raw[i:] starts with U+2028 or U+2029, as
// encoding/json's compact tests it.
func isLineSeparator(raw []byte, i int) bool {
	return i+2 < len(raw) && raw[i+1] == 0x80 && raw[i+2]&^1 == 0xA8
}

// stopInString and stopOutside mark the bytes IsCompact has to look at
// inside and outside strings.
var stopInString, stopOutside = func() (in, out [256]bool) {
	for _, c := range []byte{'"', '\\', '<', '>', '&', 0xE2} {
		in[c] = true
	}
	for c := range out {
		out[c] = c <= ' ' || c == '"' || c == '<' || c == '>' || c == '&' || c == 0xE2
	}
	return in, out
}()
