package jsonscan

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// valueEndAgreesWithPrefix checks ValueEnd against Prefix, which
// validates: both must end the first value at the same byte. ValueEnd is
// for valid text, where a number or literal is followed by a delimiter or
// the end; Prefix also ends one followed by anything ("truex"), which valid
// text never has, so those are not compared.
func valueEndAgreesWithPrefix(t *testing.T, doc []byte) {
	t.Helper()
	end, ok := Prefix(doc)
	if !ok {
		return
	}
	start := SkipSpace(doc, 0)
	if c := doc[start]; c != '{' && c != '[' && c != '"' && end < len(doc) && !strings.ContainsRune(" \t\r\n,]}", rune(doc[end])) {
		return
	}
	if got := ValueEnd(doc, start); got != end {
		t.Fatalf("ValueEnd(%q) = %d, Prefix says %d", doc, got, end)
	}
}

func TestValueEndAgreesWithPrefix(t *testing.T) {
	for _, s := range samples {
		for _, tail := range []string{"", " ", ",", "]", "}"} {
			valueEndAgreesWithPrefix(t, []byte(s+tail))
		}
	}
	for _, s := range []string{`"a\\"`, `"a\\\"b"`, `["\"]", 1]`, `{"k":"}"}`, `  -1.5e3 `} {
		valueEndAgreesWithPrefix(t, []byte(s))
	}
}

func FuzzValueEnd(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		valueEndAgreesWithPrefix(t, b)
	})
}

// membersAgreeWithEncodingJSON walks the object or array of a valid doc
// with Members or Elements and compares what it finds with what
// encoding/json decodes: the same keys (Unquote) and the very same value
// bytes, in order.
func membersAgreeWithEncodingJSON(t *testing.T, doc []byte) {
	t.Helper()
	if !Valid(doc) {
		return
	}
	start := SkipSpace(doc, 0)
	switch doc[start] {
	case '{':
		dec := json.NewDecoder(bytes.NewReader(doc))
		if _, err := dec.Token(); err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		for it := Members(doc, start); ; {
			lit, from, to, ok := it.Next()
			if !ok {
				break
			}
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("%q: %v", doc, err)
			}
			key, err := Unquote(lit)
			if err != nil || string(key) != tok.(string) {
				t.Fatalf("%q: key %q unquoted to %q (%v), encoding/json says %q", doc, lit, key, err, tok)
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil || !bytes.Equal(raw, doc[from:to]) {
				t.Fatalf("%q: value %q, encoding/json says %q (%v)", doc, doc[from:to], raw, err)
			}
		}
		if dec.More() {
			t.Fatalf("%q: Members stopped before the last member", doc)
		}
	case '[':
		var want []json.RawMessage
		if err := json.Unmarshal(doc, &want); err != nil {
			t.Fatalf("%q: %v", doc, err)
		}
		var got []json.RawMessage
		for it := Elements(doc, start); ; {
			from, to, ok := it.Next()
			if !ok {
				break
			}
			got = append(got, doc[from:to])
		}
		if len(got) != len(want) {
			t.Fatalf("%q: %d elements, encoding/json says %d", doc, len(got), len(want))
		}
		for i := range got {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("%q: element %d is %q, encoding/json says %q", doc, i, got[i], want[i])
			}
		}
	}
}

func TestMembersAndElementsAgreeWithEncodingJSON(t *testing.T) {
	for _, s := range samples {
		membersAgreeWithEncodingJSON(t, []byte(s))
	}
	for _, s := range []string{` { "a" : 1 , "a":[ 2 ,{}] ,"\u00e9\"":"x\\"} `, `[ 1 , "]" ,{"k":[]} ]`, `{}`, `[]`, `{"\ud800":null}`} {
		membersAgreeWithEncodingJSON(t, []byte(s))
	}
}

func FuzzMembersAndElements(f *testing.F) {
	for _, s := range samples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		membersAgreeWithEncodingJSON(t, b)
	})
}
