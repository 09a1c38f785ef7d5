package canonicaljson

import (
	"encoding/json"
	"fmt"
	"sync"
)

// MaxDepth bounds the nesting of arrays and objects. It keeps hostile input from
// exhausting the stack; no protocol value comes close to it.
const MaxDepth = 1000

// Canonicalize parses one JSON text (surrounding whitespace allowed) and returns
// its RFC 8785 canonical form. Invalid input returns an error wrapping
// ErrInvalidJSON (a *SyntaxError).
func Canonicalize(in []byte) ([]byte, error) {
	p := newParser(in, false)
	defer p.release()
	return p.run(make([]byte, 0, len(in)))
}

// Validate reports whether in is JSON that Canonicalize accepts, returning the
// same error Canonicalize would. It runs the same parser, but writes into a
// reused buffer and skips sorting object members, so it allocates nothing in
// the steady state: receivers validate every value they read.
func Validate(in []byte) error {
	p := newParser(in, true)
	defer p.release()
	out, err := p.run(p.out[:0])
	if err == nil {
		p.out = out
	}
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

// parsers keeps the parser's scratch buffers (member stack, key text,
// reordering space) between calls; hashing runs for every received value.
var parsers = sync.Pool{New: func() any { return new(parser) }}

// maxPooledBuffer stops one huge document from pinning its buffers in the pool.
const maxPooledBuffer = 64 << 10

func newParser(in []byte, validateOnly bool) *parser {
	p := parsers.Get().(*parser)
	p.in, p.pos, p.depth, p.validateOnly = in, 0, 0, validateOnly
	p.members, p.keys = p.members[:0], p.keys[:0]
	return p
}

func (p *parser) release() {
	p.in = nil
	if cap(p.out) > maxPooledBuffer || cap(p.keys) > maxPooledBuffer || cap(p.scratch) > maxPooledBuffer ||
		cap(p.members) > maxPooledBuffer/32 {
		return // let the garbage collector have it
	}
	parsers.Put(p)
}

// run parses the whole input, appending its canonical form to dst.
func (p *parser) run(dst []byte) ([]byte, error) {
	p.skipSpace()
	out, err := p.value(dst)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(p.in) {
		return nil, p.fail("data after the JSON value")
	}
	return out, nil
}

// Unquote returns the text of the JSON string literal lit (its quotes
// included, nothing around them), held to the rules Canonicalize applies to
// strings. It is for readers that walk text Validate has accepted and meet an
// escape; most strings have none and need no decoding.
func Unquote(lit []byte) (string, error) {
	p := parser{in: lit}
	if p.peek() != '"' {
		return "", p.fail("expected a string")
	}
	p.pos++
	text, err := p.str(nil, false)
	if err != nil {
		return "", err
	}
	if p.pos != len(p.in) {
		return "", p.fail("data after the JSON value")
	}
	return string(text), nil
}
