package canonicaljson

import (
	"fmt"
	"slices"
	"strconv"
	"unicode/utf16"
)

// parser reads one JSON text and appends its canonical form as it goes. Only
// objects need buffering: their members are encoded separately and written once
// sorted.
type parser struct {
	in    []byte
	pos   int
	depth int
}

// member is one decoded object member awaiting sorting.
type member struct {
	key   string
	units []uint16 // key as UTF-16 code units, the JCS sort key
	value []byte   // canonical encoding of the member's value
}

func (p *parser) fail(format string, args ...any) error {
	return &SyntaxError{Offset: p.pos, Reason: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.in) {
		switch p.in[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

// value appends the canonical form of the value starting at p.pos to dst.
func (p *parser) value(dst []byte) ([]byte, error) {
	if p.pos >= len(p.in) {
		return nil, p.fail("unexpected end of input")
	}
	switch c := p.in[p.pos]; {
	case c == '{':
		return p.object(dst)
	case c == '[':
		return p.array(dst)
	case c == '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		return appendString(dst, s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(dst)
	default:
		return p.literal(dst)
	}
}

func (p *parser) literal(dst []byte) ([]byte, error) {
	for _, lit := range []string{"true", "false", "null"} {
		if len(p.in)-p.pos >= len(lit) && string(p.in[p.pos:p.pos+len(lit)]) == lit {
			p.pos += len(lit)
			return append(dst, lit...), nil
		}
	}
	return nil, p.fail("unexpected character %q", p.in[p.pos])
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxDepth {
		return p.fail("nesting deeper than %d", MaxDepth)
	}
	return nil
}

func (p *parser) array(dst []byte) ([]byte, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // '['
	dst = append(dst, '[')
	p.skipSpace()
	if p.peek() == ']' {
		p.pos++
		p.depth--
		return append(dst, ']'), nil
	}
	for first := true; ; first = false {
		if !first {
			dst = append(dst, ',')
		}
		p.skipSpace()
		var err error
		if dst, err = p.value(dst); err != nil {
			return nil, err
		}
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			p.depth--
			return append(dst, ']'), nil
		default:
			return nil, p.fail("expected ',' or ']' in array")
		}
	}
}

func (p *parser) object(dst []byte) ([]byte, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	p.pos++ // '{'
	members, err := p.members()
	if err != nil {
		return nil, err
	}
	p.depth--
	slices.SortFunc(members, func(a, b member) int { return slices.Compare(a.units, b.units) })
	dst = append(dst, '{')
	for i, m := range members {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendString(dst, m.key)
		dst = append(dst, ':')
		dst = append(dst, m.value...)
	}
	return append(dst, '}'), nil
}

// members reads an object's members up to and including its closing brace.
func (p *parser) members() ([]member, error) {
	var members []member
	seen := map[string]struct{}{}
	p.skipSpace()
	if p.peek() == '}' {
		p.pos++
		return members, nil
	}
	for {
		p.skipSpace()
		m, err := p.member()
		if err != nil {
			return nil, err
		}
		if _, dup := seen[m.key]; dup {
			return nil, p.fail("duplicate key %q", m.key)
		}
		seen[m.key] = struct{}{}
		members = append(members, m)
		p.skipSpace()
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return members, nil
		default:
			return nil, p.fail("expected ',' or '}' in object")
		}
	}
}

func (p *parser) member() (member, error) {
	if p.peek() != '"' {
		return member{}, p.fail("expected a string key")
	}
	key, err := p.str()
	if err != nil {
		return member{}, err
	}
	p.skipSpace()
	if p.peek() != ':' {
		return member{}, p.fail("expected ':' after key")
	}
	p.pos++
	p.skipSpace()
	value, err := p.value(nil)
	if err != nil {
		return member{}, err
	}
	return member{key: key, units: utf16.Encode([]rune(key)), value: value}, nil
}

// peek returns the current byte, or 0 at the end of input (0 never starts a
// valid token, so callers treat it as "unexpected").
func (p *parser) peek() byte {
	if p.pos >= len(p.in) {
		return 0
	}
	return p.in[p.pos]
}

// number validates the RFC 8259 number grammar, then rounds the text to the
// nearest double (strconv is correctly rounded) and writes it the ECMAScript
// way. Grammar first, because ParseFloat also accepts forms JSON does not
// ("+1", ".5", "0x10", "Inf", "1_000").
func (p *parser) number(dst []byte) ([]byte, error) {
	start := p.pos
	if err := p.scanNumber(); err != nil {
		return nil, err
	}
	f, err := strconv.ParseFloat(string(p.in[start:p.pos]), 64)
	if err != nil {
		// The grammar is already checked, so the only failure left is overflow.
		text := p.in[start:p.pos]
		p.pos = start
		return nil, p.fail("number %.40s is not a finite double", text)
	}
	return appendNumber(dst, f), nil
}

func (p *parser) scanNumber() error {
	if p.peek() == '-' {
		p.pos++
	}
	switch c := p.peek(); {
	case c == '0':
		p.pos++
	case c >= '1' && c <= '9':
		p.digits()
	default:
		return p.fail("expected a digit")
	}
	if p.peek() == '.' {
		p.pos++
		if p.digits() == 0 {
			return p.fail("expected a digit after '.'")
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if p.digits() == 0 {
			return p.fail("expected a digit in exponent")
		}
	}
	return nil
}

func (p *parser) digits() int {
	n := 0
	for p.pos < len(p.in) && p.in[p.pos] >= '0' && p.in[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}
