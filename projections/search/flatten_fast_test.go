package search

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// flattenSeeds are inputs on both sides of flattenValid's line: valid
// values of every kind and escapes, and near misses it must refuse.
var flattenSeeds = []string{
	`{"a":"x","b":[1,"y",{"c":true}]}`, `"s"`, `1.5e3`, `-0`, `-0.5E+10`, `0`, ` [ ] `, "\t{ }\n",
	`{"k":"v","":"","e":"","n":null}`, `"caf\u00e9 \"q\" \\ \/ \b\f\n\r\t"`, `"\ud83d\ude00 \ud800"`,
	"\"\xff\xfe\"", "\"caf\xc3\xa9\"", `{"München":"東京"}`,
	`{"a":`, `[[[]]]`, `01`, `1.`, `.5`, `1e`, `+1`, `-`, `1 2`, `[1,]`, `{"a":1,}`, `{"a" 1}`, `{1:2}`,
	`tru`, `nul`, `[true false]`, "\"a\x01\"", `"\x"`, `"\u12"`, `"\u12G4"`, `"abc`, `[1}`, `{"a":1]`,
	strings.Repeat("[", maxFlattenDepth) + strings.Repeat("]", maxFlattenDepth),
	strings.Repeat("[", maxFlattenDepth+1) + `"deep"` + strings.Repeat("]", maxFlattenDepth+1),
}

func TestFlattenValidAgreesWithTokens(t *testing.T) {
	for _, s := range flattenSeeds {
		got, ok := flattenValid([]byte(s))
		if ok {
			assert.Equal(t, flattenTokens([]byte(s)), got, "%q", s)
		}
	}
	// The fast path must actually take the values nodes store.
	for _, s := range []string{`{"note":"w1 w2","amount":"12.50","n":[1,2.5e3,null]}`, `"caf\u00e9"`, `-0.5E+10`} {
		_, ok := flattenValid([]byte(s))
		assert.True(t, ok, "%q", s)
	}
	for _, s := range []string{`01`, `1 2`, `[1,]`, "\"a\x01\"", `{"a":`} {
		_, ok := flattenValid([]byte(s))
		assert.False(t, ok, "%q", s)
	}
}

// FuzzFlattenFast: whatever flattenValid accepts, it flattens exactly as
// the reference does.
func FuzzFlattenFast(f *testing.F) {
	for _, s := range flattenSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := flattenValid(raw)
		if !ok {
			return
		}
		if want := flattenTokens(raw); got != want {
			t.Fatalf("flattenValid(%q) = %q, flattenTokens = %q", raw, got, want)
		}
	})
}

func BenchmarkFlattenJSON(b *testing.B) {
	raw := []byte(`{"customer":"Acme Ltd","note":"` + strings.Repeat("lorem ipsum dolor sit amet ", 30) +
		`","amount":120.50,"lines":[{"sku":"A-1","qty":3},{"sku":"B-2","qty":1}],"paid":true}`)
	b.Run("fast", func(b *testing.B) {
		for b.Loop() {
			FlattenJSON(raw)
		}
	})
	// Many short leaves, as in a record of ids, hashes and amounts: the
	// per-leaf cost, where the long note above is the per-byte cost.
	leaves := []byte(`{"id":"7d4b0b5e-3c1f-4e0b-9d7a-2a3c4d5e6f70","author":"did:firefly:org/org1","topics":["t1","t2"],` +
		`"lines":[{"sku":"A-1","qty":3,"price":12.5},{"sku":"B-2","qty":1,"price":0.99},{"sku":"C-3","qty":12,"price":-4e2}],` +
		`"hash":"` + strings.Repeat("ab", 32) + `","paid":true,"note":null,"tags":["x","y","z",""],"seq":12345}`)
	b.Run("fast-leaves", func(b *testing.B) {
		for b.Loop() {
			FlattenJSON(leaves)
		}
	})
	b.Run("tokens", func(b *testing.B) {
		for b.Loop() {
			flattenTokens(raw)
		}
	})
}
