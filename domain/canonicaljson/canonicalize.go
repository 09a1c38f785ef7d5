package canonicaljson

import (
	"encoding/json"
	"fmt"
)

// MaxDepth bounds the nesting of arrays and objects. It keeps hostile input from
// exhausting the stack; no protocol value comes close to it.
const MaxDepth = 1000

// Canonicalize parses one JSON text (surrounding whitespace allowed) and returns
// its RFC 8785 canonical form. Invalid input returns an error wrapping
// ErrInvalidJSON (a *SyntaxError).
func Canonicalize(in []byte) ([]byte, error) {
	p := parser{in: in}
	p.skipSpace()
	out, err := p.value(make([]byte, 0, len(in)))
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.in) {
		return nil, p.fail("data after the JSON value")
	}
	return out, nil
}

// Validate reports whether in is JSON that Canonicalize accepts, returning the
// same error Canonicalize would.
func Validate(in []byte) error {
	_, err := Canonicalize(in)
	return err
}

// Marshal returns the canonical form of v: encoding/json's encoding of v, then
// canonicalised. Struct tags, omitempty and json.Marshaler all apply as usual,
// so a value's canonical form is that of the JSON it would be stored as.
//
// encoding/json replaces invalid UTF-8 in Go strings with U+FFFD instead of
// failing, so validate untrusted strings before hashing them through Marshal.
func Marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("canonicaljson: marshal: %w", err)
	}
	return Canonicalize(raw)
}
