package canonicaljson

import (
	"strconv"
)

// maxPlainIntegerDigits bounds the integers written as they stand. Below 1e15
// every integer is a double exactly, and ECMAScript writes an integer double
// below 1e21 as its plain digits, so such JSON text (minus a sign on zero) is
// already canonical. Most protocol numbers are of this kind, and skipping
// ParseFloat and re-formatting for them is most of the cost of numbers.
const maxPlainIntegerDigits = 15

// appendPlainInteger writes an integer that scanNumber found to be plain.
func appendPlainInteger(dst []byte, text []byte) []byte {
	if len(text) == 2 && text[0] == '-' && text[1] == '0' {
		return append(dst, '0') // -0 is written as 0
	}
	return append(dst, text...)
}

// appendNumber writes the finite double f as ECMAScript's Number::toString
// (ECMA-262, 7.1.12.1) does, which is what RFC 8785 mandates.
//
// strconv's shortest formatting yields the digits ECMAScript wants: the fewest
// decimal digits that round-trip, and among those the closest to f. Only the
// layout differs, so this function re-lays those digits out.
func appendNumber(dst []byte, f float64) []byte {
	if f == 0 { // both +0 and -0
		return append(dst, '0')
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	var buf [32]byte
	digits, n := decimalDigits(buf[:0], f)
	k := len(digits)
	switch {
	case k <= n && n <= 21:
		// Integer below 1e21: all digits, then zeros up to the decimal point.
		dst = append(dst, digits...)
		for range n - k {
			dst = append(dst, '0')
		}
	case 0 < n && n <= 21:
		dst = append(dst, digits[:n]...)
		dst = append(dst, '.')
		dst = append(dst, digits[n:]...)
	case -6 < n && n <= 0:
		dst = append(dst, '0', '.')
		for range -n {
			dst = append(dst, '0')
		}
		dst = append(dst, digits...)
	default:
		dst = appendExponential(dst, digits, n-1)
	}
	return dst
}

// appendExponential writes d[0](.d[1:])e±exp.
func appendExponential(dst []byte, digits []byte, exp int) []byte {
	dst = append(dst, digits[0])
	if len(digits) > 1 {
		dst = append(dst, '.')
		dst = append(dst, digits[1:]...)
	}
	dst = append(dst, 'e')
	if exp >= 0 {
		dst = append(dst, '+')
	}
	return strconv.AppendInt(dst, int64(exp), 10)
}

// decimalDigits returns the shortest round-trip significant digits of the
// positive finite f, in buf's storage, and the position n of the decimal point
// relative to them, so that f = 0.d1d2...dk × 10^n (ECMAScript's s, k and n).
func decimalDigits(buf []byte, f float64) (digits []byte, n int) {
	// 'e' with precision -1 gives "d.ddde±xx" (or "de±xx") with shortest digits.
	b := strconv.AppendFloat(buf, f, 'e', -1, 64)
	e := 0
	for i, c := range b {
		if c == 'e' {
			exp, _ := strconv.Atoi(string(b[i+1:])) // strconv's own output always parses
			e = exp
			b = b[:i]
			break
		}
	}
	// Drop the '.' in place: it is always the second byte when present.
	if len(b) > 1 && b[1] == '.' {
		copy(b[1:], b[2:])
		b = b[:len(b)-1]
	}
	return b, e + 1
}
