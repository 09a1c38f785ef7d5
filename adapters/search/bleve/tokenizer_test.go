package bleve

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/stretchr/testify/require"
)

// tokens is what the index takes from a token stream.
type token struct {
	Term       string
	Start, End int
	Position   int
}

func tokensOf(ts analysis.TokenStream) []token {
	out := make([]token, len(ts))
	for i, t := range ts {
		out[i] = token{Term: string(t.Term), Start: t.Start, End: t.End, Position: t.Position}
	}
	return out
}

// requireSameTokens checks words against Bleve's unicode tokenizer on
// input.
func requireSameTokens(t *testing.T, input string) {
	t.Helper()
	want := tokensOf(unicode.NewUnicodeTokenizer().Tokenize([]byte(input)))
	got := tokensOf(words{unicode: unicode.NewUnicodeTokenizer()}.Tokenize([]byte(input)))
	require.Equal(t, want, got, "input %q", input)
}

func TestWordsMatchUnicodeOnTheCases(t *testing.T) {
	for _, input := range []string{
		"", " ", "a", "Hello, World!", "can't won't 'quoted' o'", "e.g. i.e. a.b.c. .a a..b",
		"3.14 1,000,000 1;2 1:2 a:b a;b a,b 1.a a.1 a1.b 1a.2", "__init__ _ __ a_b _1 1_ a__",
		`{"invoice":12,"customer":"ACME","amount":"99.50","note":"late payment x7"}`,
		"tab\tnew\nline\r\nend\x0bvt\x0cff", "a-b a/b a@b.c http://x.y/z?q=1&r=2", "U.S.A. 12:30 v1.2.3-rc.1",
		"ümlaut mixed with ascii", // not ASCII: the unicode tokenizer's own path
	} {
		requireSameTokens(t, input)
	}
}

// TestWordsMatchUnicodeOnRandomText draws strings of the characters the
// rules treat apart, where the two would part if they ever do.
func TestWordsMatchUnicodeOnRandomText(t *testing.T) {
	const alphabet = "aZ09.,;:'_ -\"\n\r\t/@x"
	rng := rand.New(rand.NewPCG(7, 29)) //nolint:gosec // a reproducible draw
	var b strings.Builder
	for range 50_000 {
		b.Reset()
		for range 1 + rng.IntN(12) {
			b.WriteByte(alphabet[rng.IntN(len(alphabet))])
		}
		requireSameTokens(t, b.String())
	}
}

func FuzzWordsMatchUnicode(f *testing.F) {
	f.Add("Hello, World! 3.14 can't __x__ a.b")
	f.Add("1,2;3:4 a:b:c 'a' _")
	f.Fuzz(func(t *testing.T, input string) {
		requireSameTokens(t, input)
	})
}

// BenchmarkTokenize compares the ASCII path with the unicode tokenizer on
// the flattened text of a typical business document.
func BenchmarkTokenize(b *testing.B) {
	text := []byte(strings.Repeat("invoice 10293\nACME Trading Ltd.\n99.50\nlate payment for order x7-44, see e.g. note 3\n", 12))
	for name, tok := range map[string]analysis.Tokenizer{
		"words":   words{unicode: unicode.NewUnicodeTokenizer()},
		"unicode": unicode.NewUnicodeTokenizer(),
	} {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			for b.Loop() {
				tok.Tokenize(text)
			}
		})
	}
}
