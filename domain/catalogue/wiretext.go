package catalogue

import (
	"unicode"
	"unicode/utf8"

	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
)

// Reading JSON text that jsonscan has validated, with encoding/json's rules
// for what a key matches and what a string says. With the syntax known to be
// right, finding where a value ends is a matter of counting brackets outside
// strings. Bounds are still checked everywhere: a mistake here must not be
// able to crash a reader of the event log.

// memberIter walks the members of an object, in input order: jsonscan's
// walk, with the value as a slice.
type memberIter struct {
	jsonscan.MemberIter
	raw []byte
}

// objectMembers walks raw, which starts with '{'.
func objectMembers(raw []byte) memberIter {
	return memberIter{MemberIter: jsonscan.Members(raw, 0), raw: raw}
}

// next returns the next member's key literal (quotes included) and value.
func (it *memberIter) next() (key, val []byte, ok bool) {
	key, start, end, ok := it.Next()
	if !ok {
		return nil, nil, false
	}
	return key, it.raw[start:end], true
}

// elementIter walks the elements of an array, in input order.
type elementIter struct {
	jsonscan.ElementIter
	raw []byte
}

// arrayElements walks raw, which starts with '['.
func arrayElements(raw []byte) elementIter {
	return elementIter{ElementIter: jsonscan.Elements(raw, 0), raw: raw}
}

func (it *elementIter) next() ([]byte, bool) {
	start, end, ok := it.Next()
	if !ok {
		return nil, false
	}
	return it.raw[start:end], true
}

// fieldNames are the JSON member names of a struct, in field order, and how
// encoding/json matches a key to one: the field of exactly that name, else
// the first whose name folds to the same text (case-insensitively, with
// Unicode's simple folding: "ID", "Id" and "iD" all match "id", and the
// Kelvin sign matches "k").
type fieldNames struct {
	exact  []string
	folded []string
}

func newFieldNames(names ...string) *fieldNames {
	f := &fieldNames{exact: names}
	for _, n := range names {
		f.folded = append(f.folded, string(appendFoldedName(nil, []byte(n))))
	}
	return f
}

// lookup returns the name key (a validated string literal) matches, or
// false.
func (f *fieldNames) lookup(key []byte) (string, bool) {
	text, err := jsonscan.Unquote(key)
	if err != nil {
		return "", false
	}
	for _, n := range f.exact {
		if n == string(text) {
			return n, true
		}
	}
	var buf [32]byte
	folded := appendFoldedName(buf[:0], text)
	for i, n := range f.folded {
		if n == string(folded) {
			return f.exact[i], true
		}
	}
	return "", false
}

// appendFoldedName is encoding/json's (fold.go): names fold equal exactly
// when encoding/json matches them.
func appendFoldedName(out, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		out = utf8.AppendRune(out, foldRune(r))
		i += n
	}
	return out
}

// foldRune returns the smallest rune of r's fold set.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
