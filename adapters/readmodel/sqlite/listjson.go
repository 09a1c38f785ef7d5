package sqlite

import (
	"errors"
	"fmt"
)

// A StringList column holds a JSON array of strings, so that SQL can read it
// with json_each. The encoding here is not encoding/json's: that one replaces
// invalid UTF-8 with U+FFFD (and decoding does the same), while a list must
// come back byte for byte, as every other string does. SQLite's JSON parser
// takes the bytes of a string as they are, so only '"', '\' and control
// characters are escaped, and json_each returns the original bytes.

const hexDigits = "0123456789abcdef"

// appendList appends l as a JSON array.
func appendList(b []byte, l []string) []byte {
	b = append(b, '[')
	for i, s := range l {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '"')
		for j := 0; j < len(s); j++ {
			switch c := s[j]; {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
		}
		b = append(b, '"')
	}
	return append(b, ']')
}

var errListSyntax = errors.New("not a list written by this adapter")

// parseList reads what appendList wrote (and nothing else: the column is
// this adapter's, and a Digest must not paper over a hand-edited value).
func parseList(s string) ([]string, error) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, fmt.Errorf("stored list %q: %w", s, errListSyntax)
	}
	list := []string{}
	i, end := 1, len(s)-1
	for i < end {
		if len(list) > 0 {
			if s[i] != ',' {
				return nil, fmt.Errorf("stored list %q: %w", s, errListSyntax)
			}
			i++
		}
		if i >= end || s[i] != '"' {
			return nil, fmt.Errorf("stored list %q: %w", s, errListSyntax)
		}
		i++
		var elem []byte
		for {
			if i >= end {
				return nil, fmt.Errorf("stored list %q: %w", s, errListSyntax)
			}
			c := s[i]
			if c == '"' {
				i++
				break
			}
			if c != '\\' {
				elem = append(elem, c)
				i++
				continue
			}
			if i+1 < end && (s[i+1] == '"' || s[i+1] == '\\') {
				elem = append(elem, s[i+1])
				i += 2
				continue
			}
			if i+5 < end && s[i+1:i+4] == "u00" && (s[i+4] == '0' || s[i+4] == '1') && isHexDigit(s[i+5]) {
				elem = append(elem, unhex(s[i+4])<<4|unhex(s[i+5]))
				i += 6
				continue
			}
			return nil, fmt.Errorf("stored list %q: %w", s, errListSyntax)
		}
		list = append(list, string(elem))
	}
	return list, nil
}

func isHexDigit(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' }

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return c - 'a' + 10
}
