package protocol

import (
	"bytes"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
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
// an array, in input order: jsonscan's walks, with values carrying their
// offsets.
type memberIter struct {
	jsonscan.MemberIter
	raw []byte
}

type elementIter struct {
	jsonscan.ElementIter
	raw  []byte
	base int // offset of raw[0] in the decoded text
}

// objectMembers starts walking raw, or reports that it is not an object.
func objectMembers(raw []byte) (memberIter, bool) {
	i := jsonscan.SkipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return memberIter{}, false
	}
	return memberIter{MemberIter: jsonscan.Members(raw, i), raw: raw}, true
}

// next returns the next member's key literal (quotes included) and value.
func (it *memberIter) next() (key []byte, val wireValue, ok bool) {
	key, start, end, ok := it.Next()
	if !ok {
		return nil, wireValue{}, false
	}
	return key, wireValue{raw: it.raw[start:end], off: start}, true
}

// arrayElements starts walking the array v.
func arrayElements(v wireValue) elementIter {
	return elementIter{ElementIter: jsonscan.Elements(v.raw, 0), raw: v.raw, base: v.off}
}

func (it *elementIter) next() (wireValue, bool) {
	start, end, ok := it.Next()
	if !ok {
		return wireValue{}, false
	}
	return wireValue{raw: it.raw[start:end], off: it.base + start}, true
}

// unquote returns the text of a string literal.
func unquote(lit []byte) (string, error) {
	if len(lit) >= 2 && bytes.IndexByte(lit, '\\') < 0 {
		return string(lit[1 : len(lit)-1]), nil
	}
	return canonicaljson.Unquote(lit)
}
