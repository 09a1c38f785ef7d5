package protocol

import (
	"bytes"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

// Reading JSON text that canonicaljson.Validate has accepted. With the syntax
// known to be right, finding where a value ends is a matter of counting
// brackets outside strings, and the strict decoders only need that and the
// text of strings. Bounds are still checked everywhere: a mistake here must
// not be able to crash a receiver.

// wireValue is one JSON value: exactly its bytes, and its offset in the text
// being decoded (the offsets encoding/json put in its errors).
type wireValue struct {
	raw []byte
	off int
}

// kindName is how encoding/json names the kind of a value in type errors.
func (v wireValue) kindName() string {
	switch v.raw[0] {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// memberIter walks the members of an object, and elementIter the elements of
// an array, in input order.
type memberIter struct {
	b []byte
	i int
}

type elementIter struct {
	b    []byte
	i    int
	base int // offset of b[0] in the decoded text
}

// objectMembers starts walking raw, or reports that it is not an object.
func objectMembers(raw []byte) (memberIter, bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return memberIter{}, false
	}
	return memberIter{b: raw, i: i + 1}, true
}

// next returns the next member's key literal (quotes included) and value.
func (it *memberIter) next() (key []byte, val wireValue, ok bool) {
	i := skipComma(it.b, it.i)
	if i >= len(it.b) || it.b[i] != '"' {
		return nil, wireValue{}, false // '}'
	}
	keyEnd := stringEnd(it.b, i)
	key = it.b[i:keyEnd]
	i = skipSpace(it.b, keyEnd)
	if i >= len(it.b) || it.b[i] != ':' {
		return nil, wireValue{}, false
	}
	i = skipSpace(it.b, i+1)
	if i >= len(it.b) {
		return nil, wireValue{}, false
	}
	end := valueEnd(it.b, i)
	it.i = end
	return key, wireValue{raw: it.b[i:end], off: i}, true
}

// arrayElements starts walking the array v.
func arrayElements(v wireValue) elementIter {
	return elementIter{b: v.raw, i: 1, base: v.off}
}

func (it *elementIter) next() (wireValue, bool) {
	i := skipComma(it.b, it.i)
	if i >= len(it.b) || it.b[i] == ']' {
		return wireValue{}, false
	}
	end := valueEnd(it.b, i)
	it.i = end
	return wireValue{raw: it.b[i:end], off: it.base + i}, true
}

// unquote returns the text of a string literal.
func unquote(lit []byte) (string, error) {
	if len(lit) >= 2 && bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1 : len(lit)-1]), nil
	}
	return canonicaljson.Unquote(lit)
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipComma moves past whitespace and at most one comma separating members or
// elements.
func skipComma(b []byte, i int) int {
	i = skipSpace(b, i)
	if i < len(b) && b[i] == ',' {
		i = skipSpace(b, i+1)
	}
	return i
}

// valueEnd returns the end of the value that starts at b[i].
func valueEnd(b []byte, i int) int {
	switch b[i] {
	case '"':
		return stringEnd(b, i)
	case '{', '[':
		depth := 0
		for j := i; j < len(b); j++ {
			switch b[j] {
			case '"':
				j = stringEnd(b, j) - 1
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

// stringEnd returns the position after the closing quote of the string
// literal starting at b[i]: the first quote not escaped by an odd number of
// backslashes.
func stringEnd(b []byte, i int) int {
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
