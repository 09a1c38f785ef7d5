package search

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// maxFlattenDepth is the nesting flattenValid follows; deeper input goes
// to flattenTokens, whose decoder has its own limit (10,000) and stops
// there.
const maxFlattenDepth = 1000

// flattenValid is FlattenJSON for input that is exactly one valid JSON
// value (with white space around it), which is what stored data values
// are; false for anything else, which flattenTokens then reads. It walks
// the bytes once and copies each leaf, where encoding/json's Token
// allocates an interface value and a buffer per token: in a busy node
// FlattenJSON ran for every data item and message indexed, at about five
// times the cost of this.
func flattenValid(raw []byte) (string, bool) {
	f := flattener{raw: raw}
	f.out.Grow(len(raw))
	f.space()
	if !f.value(0) {
		return "", false
	}
	f.space()
	if f.i != len(raw) {
		return "", false
	}
	return f.out.String(), true
}

// flattener is flattenValid's cursor over raw.
type flattener struct {
	raw []byte
	i   int
	out strings.Builder
}

func (f *flattener) space() {
	for f.i < len(f.raw) {
		switch f.raw[f.i] {
		case ' ', '\t', '\n', '\r':
			f.i++
		default:
			return
		}
	}
}

func (f *flattener) emit(b []byte) {
	if len(b) == 0 {
		return
	}
	if f.out.Len() > 0 {
		f.out.WriteByte('\n')
	}
	f.out.Write(b)
}

// value reads one value at depth (the containers around it), emitting its
// leaves; false on a syntax error.
func (f *flattener) value(depth int) bool {
	if f.i >= len(f.raw) {
		return false
	}
	switch c := f.raw[f.i]; {
	case c == '{':
		return f.object(depth + 1)
	case c == '[':
		return f.array(depth + 1)
	case c == '"':
		s, ok := f.str()
		if ok {
			f.emit(s)
		}
		return ok
	case c == '-' || c >= '0' && c <= '9':
		start := f.i
		if !f.number() {
			return false
		}
		f.emit(f.raw[start:f.i])
		return true
	default:
		return f.literal("true") || f.literal("false") || f.literal("null")
	}
}

func (f *flattener) object(depth int) bool {
	if depth > maxFlattenDepth {
		return false
	}
	f.i++ // '{'
	f.space()
	if f.i < len(f.raw) && f.raw[f.i] == '}' {
		f.i++
		return true
	}
	for {
		if f.i >= len(f.raw) || f.raw[f.i] != '"' {
			return false
		}
		if _, ok := f.str(); !ok { // keys are not text
			return false
		}
		f.space()
		if f.i >= len(f.raw) || f.raw[f.i] != ':' {
			return false
		}
		f.i++
		f.space()
		if !f.value(depth) {
			return false
		}
		f.space()
		if f.i >= len(f.raw) {
			return false
		}
		switch f.raw[f.i] {
		case ',':
			f.i++
			f.space()
		case '}':
			f.i++
			return true
		default:
			return false
		}
	}
}

func (f *flattener) array(depth int) bool {
	if depth > maxFlattenDepth {
		return false
	}
	f.i++ // '['
	f.space()
	if f.i < len(f.raw) && f.raw[f.i] == ']' {
		f.i++
		return true
	}
	for {
		if !f.value(depth) {
			return false
		}
		f.space()
		if f.i >= len(f.raw) {
			return false
		}
		switch f.raw[f.i] {
		case ',':
			f.i++
			f.space()
		case ']':
			f.i++
			return true
		default:
			return false
		}
	}
}

// str reads a string and returns its value. Plain strings (no escape,
// valid UTF-8) are the input's own bytes; others are unquoted by
// encoding/json, which is how flattenTokens reads them (invalid UTF-8
// becomes U+FFFD).
func (f *flattener) str() ([]byte, bool) {
	start := f.i
	f.i++ // '"'
	plain := true
	for f.i < len(f.raw) {
		c := f.raw[f.i]
		switch {
		case c == '"':
			f.i++
			body := f.raw[start+1 : f.i-1]
			if plain && utf8.Valid(body) {
				return body, true
			}
			var s string
			if json.Unmarshal(f.raw[start:f.i], &s) != nil {
				return nil, false
			}
			return []byte(s), true
		case c < 0x20:
			return nil, false
		case c == '\\':
			plain = false
			f.i++
			if f.i >= len(f.raw) {
				return nil, false
			}
			switch f.raw[f.i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				f.i++
			case 'u':
				if f.i+4 >= len(f.raw) {
					return nil, false
				}
				for _, h := range f.raw[f.i+1 : f.i+5] {
					if !isHex(h) {
						return nil, false
					}
				}
				f.i += 5
			default:
				return nil, false
			}
		default:
			f.i++
		}
	}
	return nil, false
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?.
func (f *flattener) number() bool {
	if f.raw[f.i] == '-' {
		f.i++
	}
	switch {
	case f.i < len(f.raw) && f.raw[f.i] == '0':
		f.i++
	case f.digits() == 0:
		return false
	}
	if f.i < len(f.raw) && f.raw[f.i] == '.' {
		f.i++
		if f.digits() == 0 {
			return false
		}
	}
	if f.i < len(f.raw) && (f.raw[f.i] == 'e' || f.raw[f.i] == 'E') {
		f.i++
		if f.i < len(f.raw) && (f.raw[f.i] == '+' || f.raw[f.i] == '-') {
			f.i++
		}
		if f.digits() == 0 {
			return false
		}
	}
	return true
}

func (f *flattener) digits() int {
	start := f.i
	for f.i < len(f.raw) && f.raw[f.i] >= '0' && f.raw[f.i] <= '9' {
		f.i++
	}
	return f.i - start
}

func (f *flattener) literal(word string) bool {
	if len(f.raw)-f.i >= len(word) && string(f.raw[f.i:f.i+len(word)]) == word {
		f.i += len(word)
		return true
	}
	return false
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}
