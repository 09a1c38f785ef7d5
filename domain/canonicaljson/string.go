package canonicaljson

import (
	"unicode/utf16"
	"unicode/utf8"
)

// str decodes the string literal at p.pos (which is '"') and returns its text.
// It rejects what would make two readers disagree on the text: raw control
// characters, invalid UTF-8 and unpaired surrogate escapes.
func (p *parser) str() (string, error) {
	p.pos++ // opening quote
	var buf []byte
	for {
		start := p.pos
		for p.pos < len(p.in) && isPlain(p.in[p.pos]) {
			p.pos++
		}
		buf = append(buf, p.in[start:p.pos]...)
		if p.pos >= len(p.in) {
			return "", p.fail("unterminated string")
		}
		switch c := p.in[p.pos]; {
		case c == '"':
			p.pos++
			return string(buf), nil
		case c == '\\':
			var err error
			if buf, err = p.escape(buf); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", p.fail("control character U+%04X in string must be escaped", c)
		default:
			r, size := utf8.DecodeRune(p.in[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return "", p.fail("invalid UTF-8 in string")
			}
			buf = append(buf, p.in[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
}

// isPlain reports whether c is an ASCII byte copied as is inside a string.
func isPlain(c byte) bool {
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
}

var simpleEscapes = map[byte]byte{
	'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t',
}

// escape decodes the escape sequence at p.pos (which is '\\') into buf.
func (p *parser) escape(buf []byte) ([]byte, error) {
	p.pos++
	c := p.peek()
	if dec, ok := simpleEscapes[c]; ok {
		p.pos++
		return append(buf, dec), nil
	}
	if c != 'u' {
		return nil, p.fail("invalid escape character %q", c)
	}
	p.pos++
	r, err := p.hex4()
	if err != nil {
		return nil, err
	}
	switch {
	case utf16.IsSurrogate(r) && r < 0xDC00:
		if r, err = p.lowSurrogate(r); err != nil {
			return nil, err
		}
	case utf16.IsSurrogate(r):
		return nil, p.fail("unpaired low surrogate \\u%04x", r)
	}
	return utf8.AppendRune(buf, r), nil
}

// lowSurrogate reads the "\uDC00".."\uDFFF" escape that must follow the high
// surrogate hi and returns the combined code point.
func (p *parser) lowSurrogate(hi rune) (rune, error) {
	if len(p.in)-p.pos < 2 || p.in[p.pos] != '\\' || p.in[p.pos+1] != 'u' {
		return 0, p.fail("unpaired high surrogate \\u%04x", hi)
	}
	p.pos += 2
	lo, err := p.hex4()
	if err != nil {
		return 0, err
	}
	r := utf16.DecodeRune(hi, lo)
	if r == utf8.RuneError {
		return 0, p.fail("high surrogate \\u%04x followed by \\u%04x", hi, lo)
	}
	return r, nil
}

func (p *parser) hex4() (rune, error) {
	if len(p.in)-p.pos < 4 {
		return 0, p.fail("truncated \\u escape")
	}
	var r rune
	for _, c := range p.in[p.pos : p.pos+4] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, p.fail("invalid hex digit %q in \\u escape", c)
		}
		r = r<<4 | rune(v)
	}
	p.pos += 4
	return r, nil
}

const lowerHex = "0123456789abcdef"

// appendString writes s as a JCS string literal. s is valid UTF-8 (the parser
// guarantees it), so only the characters JCS escapes need attention.
func appendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c >= 0x20:
			dst = append(dst, c)
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
		}
	}
	return append(dst, '"')
}
