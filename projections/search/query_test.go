package search_test

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

func TestParseQuery(t *testing.T) {
	type c = search.Clause
	for _, tc := range []struct {
		in   string
		want []c
	}{
		{"", nil},
		{"  \t\n ", nil},
		{"payment", []c{{Value: "payment"}}},
		{"Late  PAYMENT", []c{{Value: "Late"}, {Value: "PAYMENT"}}},
		{`"late payment"`, []c{{Value: "late payment", Quoted: true}}},
		{`"late payment" fee`, []c{{Value: "late payment", Quoted: true}, {Value: "fee"}}},
		{"Pay*", []c{{Value: "pay", Prefix: true}}},
		{"Münch*", []c{{Value: "münch", Prefix: true}}},
		{"e-mail", []c{{Value: "e-mail"}}},
		{"10:30", []c{{Value: "10:30"}}},
		{"Foo:bar", []c{{Value: "Foo:bar"}}},
		{"author:did:lm:org/acme", []c{{Field: "author", Value: "did:lm:org/acme"}}},
		{`tag:"end of day"`, []c{{Field: "tag", Value: "end of day", Quoted: true}}},
		{`tag:" "`, []c{{Field: "tag", Value: " ", Quoted: true}}},
		{"tag:Inv*", []c{{Field: "tag", Value: "Inv", Prefix: true}}},
		{"tag:a.b-c*", []c{{Field: "tag", Value: "a.b-c", Prefix: true}}},
		{"tag:-x", []c{{Field: "tag", Value: "-x"}}},
		{"tag:!", []c{{Field: "tag", Value: "!"}}},
		{"-draft", []c{{Value: "draft", Exclude: true}}},
		{`-"a b"`, []c{{Value: "a b", Quoted: true, Exclude: true}}},
		{"-type:private", []c{{Field: "type", Value: "private", Exclude: true}}},
		{"-pay*", []c{{Value: "pay", Prefix: true, Exclude: true}}},
		{"a -b c", []c{{Value: "a"}, {Value: "b", Exclude: true}, {Value: "c"}}},
		{"東京 タワー", []c{{Value: "東京"}, {Value: "タワー"}}},
		{"snake_case*", []c{{Value: "snake_case", Prefix: true}}},
	} {
		t.Run(tc.in, func(t *testing.T) {
			q, err := search.ParseQuery(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, q.Clauses)
			again, err := search.ParseQuery(q.String())
			require.NoError(t, err, "String() %q", q.String())
			assert.Equal(t, q, again)
		})
	}
}

func TestParseQueryRejects(t *testing.T) {
	for _, in := range []string{
		`"unterminated`,
		`tag:"unterminated`,
		`nope:x`,
		`http://example.com`,
		`*`,
		`-`,
		`- x`,
		`--x`,
		`a*b`,
		`**`,
		`a**`,
		`foo"bar`,
		`"foo"bar`,
		`"foo"*`,
		`""`,
		`"!!"`,
		`tag:""`,
		`tag:`,
		`tag: x`,
		`-tag:`,
		`!!!`,
		`&`,
		`pay-ment*`,
		`-*`,
		`✓*`,
		"\xff",
		strings.Repeat("a ", search.MaxClauses+1),
		strings.Repeat("a", search.MaxQueryBytes+1),
	} {
		t.Run(in, func(t *testing.T) {
			_, err := search.ParseQuery(in)
			require.Error(t, err)
			assert.ErrorIs(t, err, search.ErrInvalidQuery)
		})
	}
}

func TestParseQueryErrorSaysWhere(t *testing.T) {
	_, err := search.ParseQuery(`fee writer:x`)
	require.ErrorIs(t, err, search.ErrInvalidQuery)
	assert.Contains(t, err.Error(), `offset 4`)
	assert.Contains(t, err.Error(), `unknown field "writer"`)
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"", "a b", `"a b" -c`, "tag:x* -author:\"y z\"", "-", "a*b", "münch*", "東京", "10:30 Foo:bar"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := search.ParseQuery(s)
		if err != nil {
			if !errors.Is(err, search.ErrInvalidQuery) {
				t.Fatalf("error %v does not wrap ErrInvalidQuery", err)
			}
			return
		}
		if len(q.Clauses) > search.MaxClauses {
			t.Fatalf("%d clauses", len(q.Clauses))
		}
		for _, c := range q.Clauses {
			if c.Value == "" || !utf8.ValidString(c.Value) {
				t.Fatalf("clause %+v", c)
			}
			if c.Field != "" {
				if _, ok := search.LookupField(c.Field); !ok {
					t.Fatalf("undeclared field in %+v", c)
				}
			}
		}
		again, err := search.ParseQuery(q.String())
		if err != nil {
			t.Fatalf("String() %q of %q does not parse: %v", q.String(), s, err)
		}
		if q.String() != again.String() || len(q.Clauses) != len(again.Clauses) {
			t.Fatalf("round trip of %q: %q then %q", s, q.String(), again.String())
		}
		for i := range q.Clauses {
			if q.Clauses[i] != again.Clauses[i] {
				t.Fatalf("round trip of %q: %+v then %+v", s, q.Clauses[i], again.Clauses[i])
			}
		}
	})
}
