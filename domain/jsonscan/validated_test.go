package jsonscan

import (
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
