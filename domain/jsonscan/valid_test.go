package jsonscan

import (
	"encoding/json"
	"math/rand"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var samples = []string{
	``, ` `, `null`, `true`, `false`, `nul`, `truex`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1E-7`,
	`1.5e300`, `-12.0e+0`, `""`, `"`, `"\"`, `"\u12"`, `"\u12aF"`, `"\x"`, `"\/\b\f\n\r\t\\\""`, "\"\x1f\"", "\"\x7f\"",
	"\"\xff\xfe\"", "\"\u2028<&>\"", `{}`, `{ }`, `{"a":1}`, `{"a" : 1 , "b":[ ] }`, `{"a":1,}`, `{,}`, `{"a"}`,
	`{"a":}`, `{1:2}`, `[]`, `[ ]`, `[1,]`, `[,1]`, `[1 2]`, `[1,[2,[3]]]`, ` [1] `, "\t\n\r{}\r\n", `{} {}`, `{}x`,
	`[`, `]`, `{"a":[1,{"b":null}]}`, `"abc` + "\n" + `"`, "\x00", `{"a":1}}`, `[[]`, `1 `, ` 1`,
}

func TestValidAgreesWithEncodingJSON(t *testing.T) {
	for _, s := range samples {
		assert.Equal(t, json.Valid([]byte(s)), Valid([]byte(s)), "%q", s)
	}
}

func TestNestingLimit(t *testing.T) {
	for _, n := range []int{MaxDepth - 1, MaxDepth, MaxDepth + 1} {
		for _, open := range []string{"[", `{"k":`} {
			closing := "]"
			if open != "[" {
				closing = "}"
			}
			doc := []byte(strings.Repeat(open, n) + "1" + strings.Repeat(closing, n))
			assert.Equal(t, json.Valid(doc), Valid(doc), "depth %d of %s", n, open)
		}
	}
}

// TestValidAgreesOnMutations breaks valid documents at random (bytes
// changed, dropped, doubled, cut short) and compares the answers.
func TestValidAgreesOnMutations(t *testing.T) {
	seed := time.Now().UnixNano()
	if s := os.Getenv("LM_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err)
		seed = n
	}
	rng := rand.New(rand.NewSource(seed))
	alphabet := []byte("{}[]\":,. \t\n\r\\/-+0123456789eEtrufalsn\x00\x1f\x7f\xffabuF")
	invalid := 0
	for range 200_000 {
		doc := []byte(samples[rng.Intn(len(samples))])
		if rng.Intn(2) == 0 {
			doc = []byte(`{"id":"0b0e","n":[1,-2.5e3,{"x":null,"y":true}],"s":"a\"b\u00e9","t":false}`)
		}
		for range rng.Intn(4) {
			switch i := rng.Intn(len(doc) + 1); rng.Intn(4) {
			case 0:
				doc = append(doc[:i:i], append([]byte{alphabet[rng.Intn(len(alphabet))]}, doc[i:]...)...)
			case 1:
				if i < len(doc) {
					doc = append(doc[:i:i], doc[i+1:]...)
				}
			case 2:
				if i < len(doc) {
					doc[i] = alphabet[rng.Intn(len(alphabet))]
				}
			default:
				doc = doc[:i]
			}
		}
		want := json.Valid(doc)
		if !want {
			invalid++
		}
		require.Equal(t, want, Valid(doc), "%q (LM_SEED=%d)", doc, seed)
	}
	assert.Greater(t, invalid, 10_000, "the mutations make invalid documents")
	assert.Less(t, invalid, 190_000, "and leave valid ones")
}

func FuzzValid(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if want := json.Valid(b); Valid(b) != want {
			t.Fatalf("Valid(%q) = %v, encoding/json says %v", b, !want, want)
		}
	})
}

func BenchmarkValid(b *testing.B) {
	doc := []byte(`{"header":{"id":"7d4b0b5e-3c1f-4e0b-9d7a-2a3c4d5e6f70","type":"broadcast","txtype":"batch_pin",` +
		`"author":"did:firefly:org/org1","key":"0x1234567890abcdef1234567890abcdef12345678","created":"2026-01-02T03:04:05.000000000Z",` +
		`"namespace":"default","topics":["t1"],"datahash":"` + strings.Repeat("ab", 32) + `"},"hash":"` + strings.Repeat("cd", 32) +
		`","data":[{"id":"7d4b0b5e-3c1f-4e0b-9d7a-2a3c4d5e6f71","hash":"` + strings.Repeat("ef", 32) + `"}],"state":"confirmed","sequence":12345}`)
	require.True(b, json.Valid(doc))
	b.Run("jsonscan", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for range b.N {
			Valid(doc)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(doc)))
		for range b.N {
			json.Valid(doc)
		}
	})
}
