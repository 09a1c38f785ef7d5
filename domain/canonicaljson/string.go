package canonicaljson

import (
	"unicode/utf16"
	"unicode/utf8"
)

// str reads the rest of a string literal (p.pos is just past the opening
// quote) and appends its text to dst: written as JCS string content when jcs
// is set, decoded when not (keys, which are compared and sorted by text). It
// rejects what would make two readers disagree on the text: raw control
// characters, invalid UTF-8 and unpaired surrogate escapes.
//
// Plain ASCII and raw UTF-8 read the same in both forms, so they are copied in
// runs; only escapes differ. Validate has no use for string values, so they
// are only checked then, not copied.
func (p *parser) str(dst []byte, jcs bool) ([]byte, error) {
	keep := !jcs || !p.validateOnly
	for {
		start, i := p.pos, p.pos
		for i < len(p.in) && plain[p.in[i]] {
			i++
		}
		p.pos = i
		if keep {
			dst = append(dst, p.in[start:i]...)
		}
		if p.pos >= len(p.in) {
			return nil, p.fail("unterminated string")
		}
		switch c := p.in[p.pos]; {
		case c == '"':
			p.pos++
			return dst, nil
		case c == '\\':
			r, err := p.escape()
			if err != nil {
				return nil, err
			}
			switch {
			case !keep:
			case jcs:
				dst = appendRune(dst, r)
			default:
				dst = utf8.AppendRune(dst, r)
			}
		case c < 0x20:
			return nil, p.fail("control character U+%04X in string must be escaped", c)
		default:
			r, size := utf8.DecodeRune(p.in[p.pos:])
			if r == utf8.RuneError && size <= 1 {
				return nil, p.fail("invalid UTF-8 in string")
			}
			if keep {
				dst = append(dst, p.in[p.pos:p.pos+size]...)
			}
			p.pos += size
		}
	}
}

// isPlain reports whether c is an ASCII byte copied as is inside a string.
func isPlain(c byte) bool {
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
}

// plain is isPlain as a table, for the loops that scan string content: most
// of any JSON text is such bytes.
var plain = func() (t [256]bool) {
	for c := range t {
		t[c] = isPlain(byte(c))
	}
	return t
}()

// escape decodes the escape sequence at p.pos (which is '\\').
func (p *parser) escape() (rune, error) {
	p.pos++
	c := p.peek()
	if dec, ok := simpleEscape(c); ok {
		p.pos++
		return dec, nil
	}
	if c != 'u' {
		return 0, p.fail("invalid escape character %q", c)
	}
	p.pos++
	r, err := p.hex4()
	if err != nil {
		return 0, err
	}
	switch {
	case utf16.IsSurrogate(r) && r < 0xDC00:
		return p.lowSurrogate(r)
	case utf16.IsSurrogate(r):
		return 0, p.fail("unpaired low surrogate \\u%04x", r)
	}
	return r, nil
}

func simpleEscape(c byte) (rune, bool) {
	switch c {
	case '"', '\\', '/':
		return rune(c), true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	}
	return 0, false
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

// AppendString appends s to dst as a JCS string literal: '"', '\\' and
// U+0000..U+001F escaped, everything else as raw UTF-8. Each byte of s that is
// not part of valid UTF-8 is written as U+FFFD, as encoding/json does, so
// AppendString(nil, s) is exactly Marshal(s). Protocol code uses it to write
// canonical JSON for its own structures without a parse.
func AppendString(dst []byte, s string) []byte {
	return appendString(dst, s)
}

// appendString is AppendString for decoded text held as either type.
func appendString[T string | []byte](dst []byte, s T) []byte {
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		start := i
		for i < len(s) && plain[s[i]] {
			i++
		}
		dst = append(dst, s[start:i]...)
		if i == len(s) {
			break
		}
		if c := s[i]; c < utf8.RuneSelf {
			dst = appendASCII(dst, c)
			i++
			continue
		}
		r, size := utf8.DecodeRune([]byte(s[i:min(i+utf8.UTFMax, len(s))]))
		if r == utf8.RuneError && size == 1 {
			dst = append(dst, "\uFFFD"...)
		} else {
			dst = append(dst, s[i:i+size]...)
		}
		i += size
	}
	return append(dst, '"')
}

// appendRune writes one decoded character as JCS string content.
func appendRune(dst []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return appendASCII(dst, byte(r))
	}
	return utf8.AppendRune(dst, r)
}

func appendASCII(dst []byte, c byte) []byte {
	switch {
	case c == '"' || c == '\\':
		return append(dst, '\\', c)
	case c >= 0x20:
		return append(dst, c)
	case c == '\b':
		return append(dst, '\\', 'b')
	case c == '\t':
		return append(dst, '\\', 't')
	case c == '\n':
		return append(dst, '\\', 'n')
	case c == '\f':
		return append(dst, '\\', 'f')
	case c == '\r':
		return append(dst, '\\', 'r')
	}
	return append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xf])
}
