package search

import (
	"bytes"
	"encoding/json"
	"strings"
)

// FlattenJSON returns the searchable text of a JSON value: its string and
// number leaves, in document order, one per line (empty strings
// left out). Numbers are kept as
// written ("120.50" stays "120.50"). Object keys, true, false and null are
// left out: keys are the same in every document of a datatype, so they would
// match everything and rank nothing ("amount" is not what anyone searches
// for; "120.50" is). The result depends only on the bytes, so a rebuilt index
// is identical.
//
// Invalid JSON is not an error here (data values are validated before they
// are stored): FlattenJSON returns the leaves read before the first syntax
// error. It never panics and always returns valid UTF-8.
func FlattenJSON(raw []byte) string {
	if s, ok := flattenValid(raw); ok {
		return s
	}
	return flattenTokens(raw)
}

// flattenTokens is FlattenJSON by encoding/json's tokenizer: the
// reference, which also defines what invalid JSON gives. flattenValid
// must return the same for everything it accepts (FuzzFlattenFast).
func flattenTokens(raw []byte) string {
	type container struct{ object, expectKey bool }
	var (
		out   strings.Builder
		stack []container
	)
	// value notes that a value starts in the innermost container: in an
	// object, the next string is a key again.
	value := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].expectKey = true
		}
	}
	emit := func(s string) {
		value()
		if s == "" {
			return
		}
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.WriteString(s)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	for {
		tok, err := dec.Token()
		if err != nil {
			return out.String()
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				value()
				stack = append(stack, container{object: t == '{', expectKey: t == '{'})
			default:
				stack = stack[:len(stack)-1]
			}
		case string:
			if n := len(stack); n > 0 && stack[n-1].expectKey {
				stack[n-1].expectKey = false
				continue
			}
			emit(t)
		case json.Number:
			emit(t.String())
		default: // true, false, null
			value()
		}
	}
}
