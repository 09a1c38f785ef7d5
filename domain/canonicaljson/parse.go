package canonicaljson

import (
	"fmt"
	"strconv"
)

// parser reads one JSON text and appends its canonical form as it goes. Only
// objects need more than appending: their members are written in input order
// and moved into sorted order afterwards, when they were not sorted already.
//
// The error for a given input (its reason and offset) is part of what callers
// see, so checks run in a fixed order: a syntax error is reported where the
// parser first meets it, a duplicate key right after the duplicate's value.
type parser struct {
	in    []byte
	pos   int
	depth int
	// validateOnly skips reordering object members: Validate discards the
	// output, and sorting never changes whether input is accepted.
	validateOnly bool

	// Scratch space reused across objects and calls (see the pool).
	members []member // members of the objects being parsed, innermost last
	keys    []byte   // decoded key text of those members
	scratch []byte   // room to reorder one object's members
	out     []byte   // Validate's discarded output
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

// peek returns the current byte, or 0 at the end of input (0 never starts a
// valid token, so callers treat it as "unexpected").
func (p *parser) peek() byte {
	if p.pos >= len(p.in) {
		return 0
	}
	return p.in[p.pos]
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
		p.pos++ // opening quote
		dst = append(dst, '"')
		dst, err := p.str(dst, true)
		if err != nil {
			return nil, err
		}
		return append(dst, '"'), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number(dst)
	default:
		return p.literal(dst)
	}
}

func (p *parser) literal(dst []byte) ([]byte, error) {
	var lit string
	switch p.in[p.pos] {
	case 't':
		lit = "true"
	case 'f':
		lit = "false"
	case 'n':
		lit = "null"
	}
	if lit == "" || len(p.in)-p.pos < len(lit) || string(p.in[p.pos:p.pos+len(lit)]) != lit {
		return nil, p.fail("unexpected character %q", p.in[p.pos])
	}
	p.pos += len(lit)
	return append(dst, lit...), nil
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

// number validates the RFC 8259 number grammar, then rounds the text to the
// nearest double (strconv is correctly rounded) and writes it the ECMAScript
// way. Grammar first, because ParseFloat also accepts forms JSON does not
// ("+1", ".5", "0x10", "Inf", "1_000").
func (p *parser) number(dst []byte) ([]byte, error) {
	start := p.pos
	plain, exponent, err := p.scanNumber()
	if err != nil {
		return nil, err
	}
	text := p.in[start:p.pos]
	if plain {
		return appendPlainInteger(dst, text), nil
	}
	if p.validateOnly && !exponent && len(text) <= maxUnscaledLength {
		return dst, nil // cannot overflow, and Validate needs no output
	}
	f, err := strconv.ParseFloat(string(text), 64)
	if err != nil {
		// The grammar is already checked, so the only failure left is overflow.
		p.pos = start
		return nil, p.fail("number %.40s is not a finite double", text)
	}
	return appendNumber(dst, f), nil
}

// maxUnscaledLength bounds numbers without an exponent that are known to be
// below the largest double (about 1.8e308, 309 integer digits).
const maxUnscaledLength = 300

// scanNumber moves past a number, reporting whether it is a plain integer
// (no fraction, no exponent) short enough to be written as it stands, and
// whether it has an exponent.
func (p *parser) scanNumber() (plain, exponent bool, err error) {
	if p.peek() == '-' {
		p.pos++
	}
	switch c := p.peek(); {
	case c == '0':
		p.pos++
		plain = true
	case c >= '1' && c <= '9':
		plain = p.digits() <= maxPlainIntegerDigits
	default:
		return false, false, p.fail("expected a digit")
	}
	if p.peek() == '.' {
		plain = false
		p.pos++
		if p.digits() == 0 {
			return false, false, p.fail("expected a digit after '.'")
		}
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		plain, exponent = false, true
		p.pos++
		if c := p.peek(); c == '+' || c == '-' {
			p.pos++
		}
		if p.digits() == 0 {
			return false, false, p.fail("expected a digit in exponent")
		}
	}
	return plain, exponent, nil
}

func (p *parser) digits() int {
	n := 0
	for p.pos < len(p.in) && p.in[p.pos] >= '0' && p.in[p.pos] <= '9' {
		p.pos++
		n++
	}
	return n
}
