package search

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
)

// maxFlattenDepth is the nesting flattenValid follows; deeper input goes
// to flattenTokens, whose decoder has its own limit (10,000) and stops
// there.
const maxFlattenDepth = 1000

// flattenValid is FlattenJSON for input that is exactly one valid JSON
// value (with white space around it), which is what stored data values
// are; false for anything else, which flattenTokens then reads. It walks
// the bytes once with jsonscan.Walk (which leaves object keys out: they are
// not text) and copies each leaf, where encoding/json's Token allocates an
// interface value and a buffer per token: in a busy node FlattenJSON ran
// for every data item and message indexed, at about five times the cost of
// this.
func flattenValid(raw []byte) (string, bool) {
	var (
		out      strings.Builder
		unquoted = true
	)
	out.Grow(len(raw))
	emit := func(kind jsonscan.Kind, leaf []byte) {
		text := leaf // a number, as written
		if kind == jsonscan.String {
			text = leaf[1 : len(leaf)-1]
			// A plain string (no escape, valid UTF-8) is the input's own
			// bytes; others are unquoted by encoding/json, which is how
			// flattenTokens reads them (invalid UTF-8 becomes U+FFFD).
			if bytes.IndexByte(text, '\\') >= 0 || !utf8.Valid(text) {
				var s string
				if json.Unmarshal(leaf, &s) != nil {
					unquoted = false
					return
				}
				text = []byte(s)
			}
		}
		if len(text) == 0 {
			return
		}
		if out.Len() > 0 {
			out.WriteByte('\n')
		}
		out.Write(text)
	}
	if !jsonscan.Walk(raw, maxFlattenDepth, emit) || !unquoted {
		return "", false
	}
	return out.String(), true
}
