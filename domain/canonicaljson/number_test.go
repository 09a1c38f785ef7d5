package canonicaljson

import (
	"math"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The IEEE-754 samples of RFC 8785 Appendix B, bit pattern to expected text.
// The expected strings were also checked against node's Number#toString.
func TestAppendNumberRFC8785AppendixB(t *testing.T) {
	cases := []struct {
		bits string
		want string
	}{
		{"0000000000000000", "0"},
		{"8000000000000000", "0"}, // minus zero
		{"0000000000000001", "5e-324"},
		{"8000000000000001", "-5e-324"},
		{"7fefffffffffffff", "1.7976931348623157e+308"},
		{"ffefffffffffffff", "-1.7976931348623157e+308"},
		{"4340000000000000", "9007199254740992"},
		{"c340000000000000", "-9007199254740992"},
		{"4430000000000000", "295147905179352830000"},
		{"44b52d02c7e14af5", "9.999999999999997e+22"},
		{"44b52d02c7e14af6", "1e+23"},
		{"44b52d02c7e14af7", "1.0000000000000001e+23"},
		{"444b1ae4d6e2ef4e", "999999999999999700000"},
		{"444b1ae4d6e2ef4f", "999999999999999900000"},
		{"444b1ae4d6e2ef50", "1e+21"},
		{"3eb0c6f7a0b5ed8c", "9.999999999999997e-7"},
		{"3eb0c6f7a0b5ed8d", "0.000001"},
		{"41b3de4355555553", "333333333.3333332"},
		{"41b3de4355555554", "333333333.33333325"},
		{"41b3de4355555555", "333333333.3333333"},
		{"41b3de4355555556", "333333333.3333334"},
		{"41b3de4355555557", "333333333.33333343"},
		{"becbf647612f3696", "-0.0000033333333333333333"},
		{"43143ff3c1cb0959", "1424953923781206.2"},
	}
	for _, tc := range cases {
		t.Run(tc.bits, func(t *testing.T) {
			bits, err := strconv.ParseUint(tc.bits, 16, 64)
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(appendNumber(nil, math.Float64frombits(bits))))
		})
	}
}

func TestCanonicalizeNumbers(t *testing.T) {
	cases := []struct {
		in   string
		want string
	}{
		{"333333333.33333329", "333333333.3333333"},
		{"1E30", "1e+30"},
		{"4.50", "4.5"},
		{"2e-3", "0.002"},
		{"0.000000000000000000000000001", "1e-27"},
		{"0.000001", "0.000001"},
		{"1e-7", "1e-7"},
		{"1e-6", "0.000001"},
		{"1.5e-6", "0.0000015"},
		{"9007199254740993", "9007199254740992"}, // rounds to the nearest double
		{"1e20", "100000000000000000000"},
		{"1e21", "1e+21"},
		{"123456789012345678901234567890", "1.2345678901234568e+29"},
		{"-0", "0"},
		{"-0.0", "0"},
		{"0e10", "0"},
		{"100", "100"},
		{"-1.25E+2", "-125"},
		{"1e-400", "0"}, // underflow rounds to zero, as in ECMAScript
		{"4.9e-324", "5e-324"},
		{"1.7976931348623157e308", "1.7976931348623157e+308"},
	}
	for _, tc := range cases {
		t.Run(tc.in, func(t *testing.T) {
			got, err := Canonicalize([]byte(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

func TestCanonicalizeRejectsBadNumbers(t *testing.T) {
	for _, in := range []string{
		"1e400", "-1e400", "1.7976931348623159e308", // not finite doubles
		"01", "-", "+1", ".5", "1.", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity", "1_000",
	} {
		t.Run(in, func(t *testing.T) {
			_, err := Canonicalize([]byte(in))
			assert.ErrorIs(t, err, ErrInvalidJSON)
		})
	}
}
