package jsonscan

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// Helpers for text already known to be valid JSON (Valid, Prefix): with the
// syntax right, finding where a value ends is a matter of counting brackets
// outside strings. Bounds are still checked everywhere, so a mistake in a
// caller cannot crash a reader of the event log; on text that is not valid
// JSON the answers are merely wrong.

// SkipSpace returns the index of the first byte at or after i that is not
// JSON white space (len(b) if none).
func SkipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// SkipComma moves past white space and at most one comma separating
// members or elements.
func SkipComma(b []byte, i int) int {
	i = SkipSpace(b, i)
	if i < len(b) && b[i] == ',' {
		i = SkipSpace(b, i+1)
	}
	return i
}

// StringEnd returns the index after the closing quote of the string
// literal starting at b[i]: the first quote not escaped by an odd number of
// backslashes.
func StringEnd(b []byte, i int) int {
	for j := i + 1; j < len(b); j++ {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			break
		}
		j += k
		backslashes := 0
		for p := j - 1; p > i && b[p] == '\\'; p-- {
			backslashes++
		}
		if backslashes%2 == 0 {
			return j + 1
		}
	}
	return len(b)
}

// ValueEnd returns the index after the value starting at b[i].
func ValueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return StringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = StringEnd(b, j) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return j + 1
				}
			}
		}
		return len(b)
	}
	j := i // a number or literal runs to the next delimiter
	for j < len(b) && b[j] != ',' && b[j] != '}' && b[j] != ']' && b[j] != ' ' &&
		b[j] != '\t' && b[j] != '\n' && b[j] != '\r' {
		j++
	}
	return j
}

// MemberIter walks the members of an object in valid text, in input order.
type MemberIter struct {
	b []byte
	i int
}

// Members starts walking the object that starts at b[i] ('{').
func Members(b []byte, i int) MemberIter { return MemberIter{b: b, i: i + 1} }

// Next returns the next member's key literal (quotes included) and where
// its value starts and ends in b; false after the last member.
func (it *MemberIter) Next() (key []byte, start, end int, ok bool) {
	i := SkipComma(it.b, it.i)
	if i >= len(it.b) || it.b[i] != '"' {
		return nil, 0, 0, false // '}'
	}
	keyEnd := StringEnd(it.b, i)
	key = it.b[i:keyEnd]
	i = SkipSpace(it.b, keyEnd)
	if i >= len(it.b) || it.b[i] != ':' {
		return nil, 0, 0, false
	}
	if i = SkipSpace(it.b, i+1); i >= len(it.b) {
		return nil, 0, 0, false
	}
	end = ValueEnd(it.b, i)
	it.i = end
	return key, i, end, true
}

// ElementIter walks the elements of an array in valid text, in input
// order.
type ElementIter struct {
	b []byte
	i int
}

// Elements starts walking the array that starts at b[i] ('[').
func Elements(b []byte, i int) ElementIter { return ElementIter{b: b, i: i + 1} }

// Next returns where the next element starts and ends in b; false after
// the last element.
func (it *ElementIter) Next() (start, end int, ok bool) {
	i := SkipComma(it.b, it.i)
	if i >= len(it.b) || it.b[i] == ']' {
		return 0, 0, false
	}
	end = ValueEnd(it.b, i)
	it.i = end
	return i, end, true
}

// Unquote returns the text of a string literal in valid text as
// encoding/json decodes it (escapes decoded, invalid UTF-8 and lone
// surrogates replaced by U+FFFD). Literals of plain ASCII without escapes,
// nearly all of them, are their bytes as written; the others go through
// encoding/json itself, so that the two cannot disagree.
func Unquote(lit []byte) ([]byte, error) {
	if text, ok := plainText(lit); ok {
		return text, nil
	}
	var s string
	if err := json.Unmarshal(lit, &s); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// plainText returns the text of a string literal when it is its bytes as
// written: no escapes and only ASCII, so encoding/json would neither decode
// an escape nor replace invalid UTF-8.
func plainText(lit []byte) ([]byte, bool) {
	if len(lit) < 2 {
		return nil, false
	}
	text := lit[1 : len(lit)-1]
	for _, c := range text {
		if c == '\\' || c >= utf8.RuneSelf {
			return nil, false
		}
	}
	return text, true
}
