package jsonscan

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPrefixReadsWhatADecoderReads compares Prefix with json.Decoder: the
// same inputs have a first value, and it ends at the same byte (InputOffset
// after Decode). Prefix only reads values that need no byte after them to
// end (objects, arrays, strings) the way the Decoder does; for numbers and
// literals the Decoder needs to see the next byte, so only the answer is
// compared there.
func TestPrefixReadsWhatADecoderReads(t *testing.T) {
	tails := []string{"", " ", "x", "]", "}", " {}", ",", "\x00"}
	for _, s := range samples {
		for _, tail := range tails {
			doc := []byte(s + tail)
			dec := json.NewDecoder(bytes.NewReader(doc))
			var v any
			err := dec.Decode(&v)
			end, ok := Prefix(doc)
			if !assert.Equal(t, err == nil, ok, "%q", doc) || !ok {
				continue
			}
			first := bytes.TrimLeft(doc, " \t\r\n")[0]
			if first == '{' || first == '[' || first == '"' {
				assert.Equal(t, dec.InputOffset(), int64(end), "%q", doc)
			}
		}
	}
}
