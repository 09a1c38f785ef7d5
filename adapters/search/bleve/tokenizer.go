package bleve

import (
	"fmt"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// wordsTokenizer is the name of the text analyzer's tokenizer.
const wordsTokenizer = "lm_words"

func init() {
	if err := registry.RegisterTokenizer(wordsTokenizer, func(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
		return words{unicode: unicode.NewUnicodeTokenizer()}, nil
	}); err != nil {
		panic(fmt.Sprintf("registering the %s tokenizer: %v", wordsTokenizer, err))
	}
}

// words is Bleve's unicode tokenizer (UAX #29 words) with a fast path for
// ASCII text, the usual text of business data: the generic segmenter was
// ~5% of a busy node's CPU in bench e2e. On ASCII input it gives the same
// tokens (terms, offsets and positions; FuzzWordsMatchUnicode holds it to
// that), else it is the unicode tokenizer.
type words struct {
	unicode *unicode.UnicodeTokenizer
}

// Character classes of UAX #29's word boundary rules, for ASCII.
const (
	other     = iota
	letter    // ALetter: A-Z, a-z
	digit     // Numeric: 0-9
	midLetter // MidLetter: ':'
	midNum    // MidNum: ',' ';'
	midBoth   // MidNumLet and Single_Quote: '.' '\''
	extender  // ExtendNumLet: '_'
)

var asciiClass = func() (c [128]uint8) {
	for b := 'a'; b <= 'z'; b++ {
		c[b], c[b-'a'+'A'] = letter, letter
	}
	for b := '0'; b <= '9'; b++ {
		c[b] = digit
	}
	c[':'] = midLetter
	c[','], c[';'] = midNum, midNum
	c['.'], c['\''] = midBoth, midBoth
	c['_'] = extender
	return c
}()

// Tokenize implements analysis.Tokenizer.
func (w words) Tokenize(input []byte) analysis.TokenStream {
	for _, b := range input {
		if b >= 0x80 {
			return w.unicode.Tokenize(input)
		}
	}
	// Two passes, so that the tokens take two allocations of their exact
	// size.
	n := 0
	for i := 0; i < len(input); {
		if !startsWord(input[i]) {
			i++
			continue
		}
		i = wordEnd(input, i)
		n++
	}
	tokens := make([]analysis.Token, n)
	out := make(analysis.TokenStream, n)
	k := 0
	for i := 0; i < len(input); {
		if !startsWord(input[i]) {
			i++
			continue
		}
		end := wordEnd(input, i)
		tokens[k] = analysis.Token{Term: input[i:end], Start: i, End: end, Position: k + 1, Type: tokenType(input[i:end])}
		out[k] = &tokens[k]
		k++
		i = end
	}
	return out
}

// startsWord reports whether a word starts with b.
func startsWord(b byte) bool {
	c := asciiClass[b]
	return c == letter || c == digit || c == extender
}

// wordEnd returns where the word that starts at i with a letter, digit or
// '_' ends, joining by rules WB5 to WB13b. (The segmenter counts a run of
// '_' alone as a word too.)
func wordEnd(input []byte, i int) int {
	j := i
	for j < len(input) {
		c := asciiClass[input[j]]
		j++
		if j == len(input) {
			break
		}
		next := asciiClass[input[j]]
		if next == letter || next == digit || next == extender {
			continue // WB5, WB8, WB9, WB10, WB13a, WB13b
		}
		// WB6/WB7: letter (MidLetter | MidNumLetQ) letter; WB11/WB12:
		// digit (MidNum | MidNumLetQ) digit.
		if j+1 < len(input) {
			after := asciiClass[input[j+1]]
			if (c == letter && after == letter && (next == midLetter || next == midBoth)) ||
				(c == digit && after == digit && (next == midNum || next == midBoth)) {
				j++
				continue
			}
		}
		break
	}
	return j
}

// tokenType is the unicode tokenizer's type of an ASCII word: Numeric
// when it is digits (and separators) only.
func tokenType(term []byte) analysis.TokenType {
	for _, b := range term {
		if asciiClass[b] == letter || asciiClass[b] == extender {
			return analysis.AlphaNumeric
		}
	}
	return analysis.Numeric
}
