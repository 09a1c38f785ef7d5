package canonicaljson

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendStringEqualsMarshal(t *testing.T) {
	for _, s := range []string{"", "plain", `"\/`, "\x00\x01\b\t\n\f\r\x1f\x7f", "<>&", "\u2028\u2029",
		"é中\U0001F600", "\uFFFD\uFFFF", "\xff", "a\xc3", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf"} {
		want, err := Marshal(s)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(AppendString(nil, s)), "%q", s)
	}
	got := AppendString([]byte("x:"), "y")
	assert.Equal(t, `x:"y"`, string(got))
}

func TestUnquote(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`""`, ""},
		{`"plain"`, "plain"},
		{`"\u0041\n\"\\\/"`, "A\n\"\\/"},
		{`"\ud83d\ude00é"`, "\U0001F600é"},
	} {
		got, err := Unquote([]byte(tc.in))
		require.NoError(t, err, tc.in)
		assert.Equal(t, tc.want, got)
	}
	for _, in := range []string{``, `x`, `"a`, `"a" `, `"\ud800"`, "\"\xff\"", `"a"b`} {
		_, err := Unquote([]byte(in))
		assert.ErrorIs(t, err, ErrInvalidJSON, in)
	}
}

// Objects are written in input order and sorted afterwards; duplicate keys in
// unsorted objects are found by scanning or, past linearDupLimit members, a
// map. Every path must sort and reject as a plain sort and set would.
func TestObjectsOfEverySizeAndOrder(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for range 500 {
		n := rng.IntN(3 * linearDupLimit)
		keys := make([]string, n)
		for i := range keys {
			keys[i] = fmt.Sprintf("k%03d", i)
		}
		if rng.IntN(2) == 0 {
			rng.Shuffle(n, func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
		}
		dup := n > 1 && rng.IntN(3) == 0
		if dup {
			keys[rng.IntN(n)] = keys[rng.IntN(n)]
		}
		var in strings.Builder
		in.WriteString("{")
		seen := map[string]bool{}
		duplicated := false
		for i, k := range keys {
			if i > 0 {
				in.WriteString(", ")
			}
			fmt.Fprintf(&in, "%q : %d", k, i)
			duplicated = duplicated || seen[k]
			seen[k] = true
		}
		in.WriteString("}")
		got, err := Canonicalize([]byte(in.String()))
		if duplicated {
			assert.ErrorContains(t, err, "duplicate key", in.String())
			assert.Equal(t, err, Validate([]byte(in.String())))
			continue
		}
		require.NoError(t, err, in.String())
		require.NoError(t, Validate([]byte(in.String())))
		var m map[string]int
		require.NoError(t, json.Unmarshal(got, &m))
		sorted, err := json.Marshal(m) // encoding/json sorts map keys, bytewise: the same for ASCII
		require.NoError(t, err)
		assert.Equal(t, string(sorted), string(got))
	}
}

func TestValidateAgreesWithCanonicalizeOnNumbers(t *testing.T) {
	for _, in := range []string{"1e400", "-1e400", "1e-400", strings.Repeat("9", 300), strings.Repeat("9", 320),
		strings.Repeat("9", 320) + ".5", "0." + strings.Repeat("0", 400) + "1", "123456789012345", "1234567890123456", "-0"} {
		_, want := Canonicalize([]byte(in))
		assert.Equal(t, want, Validate([]byte(in)), in)
	}
}
