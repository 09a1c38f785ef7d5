package search_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

const id1 = "0a2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01"

func validMessage() search.Document {
	return search.Document{
		Namespace: "ns1", Kind: search.Messages, ID: id1,
		Fields: map[string][]string{"author": {"did:lm:org/acme"}, "topics": {"orders", "q 3"}},
		Text:   "hello",
	}
}

func TestDocumentValidate(t *testing.T) {
	require.NoError(t, validMessage().Validate())
	for name, mutate := range map[string]func(*search.Document){
		"empty namespace":         func(d *search.Document) { d.Namespace = "" },
		"bad namespace":           func(d *search.Document) { d.Namespace = "a/b" },
		"long namespace":          func(d *search.Document) { d.Namespace = strings.Repeat("a", 65) },
		"bad kind":                func(d *search.Document) { d.Kind = "blobs" },
		"empty kind":              func(d *search.Document) { d.Kind = "" },
		"bad id":                  func(d *search.Document) { d.ID = "42" },
		"unknown field":           func(d *search.Document) { d.Fields["colour"] = []string{"red"} },
		"field of the other kind": func(d *search.Document) { d.Fields["datatype"] = []string{"x"} },
		"two values, not multi":   func(d *search.Document) { d.Fields["author"] = []string{"a", "b"} },
		"long value":              func(d *search.Document) { d.Fields["tag"] = []string{strings.Repeat("x", search.MaxFieldValueBytes+1)} },
		"value not UTF-8":         func(d *search.Document) { d.Fields["tag"] = []string{"\xff"} },
		"text not UTF-8":          func(d *search.Document) { d.Text = "\xff" },
	} {
		t.Run(name, func(t *testing.T) {
			d := validMessage()
			mutate(&d)
			assert.ErrorIs(t, d.Validate(), search.ErrInvalidDocument)
		})
	}
}

func TestPrepareBatch(t *testing.T) {
	a := validMessage()
	a.ID = strings.ToUpper(id1)
	a.Fields["tag"] = []string{""}
	b := validMessage()
	b.Text = "replaced"
	other := validMessage()
	other.Namespace = "ns2"
	got, err := search.PrepareBatch([]search.Document{a, other, b})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, id1, got[0].ID)
	assert.Equal(t, "replaced", got[0].Text)
	assert.NotContains(t, got[0].Fields, "tag")
	assert.Equal(t, "ns2", got[1].Namespace)

	bad := validMessage()
	bad.ID = "x"
	_, err = search.PrepareBatch([]search.Document{a, bad})
	assert.ErrorIs(t, err, search.ErrInvalidDocument)
}

func TestKeyRoundTrip(t *testing.T) {
	d := validMessage()
	ns, kind, id, err := search.ParseKey(d.Key())
	require.NoError(t, err)
	assert.Equal(t, []string{d.Namespace, string(d.Kind), d.ID}, []string{ns, string(kind), id})
	_, _, _, err = search.ParseKey("nonsense")
	assert.Error(t, err)
}

// The port keeps its own copy of the protocol's namespace rule so that it
// imports nothing from the domain; this keeps the copy honest.
func TestNamespaceRuleMatchesProtocol(t *testing.T) {
	for _, ns := range []string{"", "a", "default", "A.b_c-9", "-a", ".a", "_a", "a/b", "a b", "ü", strings.Repeat("a", 64), strings.Repeat("a", 65), "a\x00"} {
		assert.Equal(t, protocol.ValidateNamespace(ns) == nil, search.ValidateNamespace(ns) == nil, "%q", ns)
	}
}

func TestRequestPlan(t *testing.T) {
	p, err := search.Request{Namespace: "ns1", Query: "a"}.Plan()
	require.NoError(t, err)
	assert.Equal(t, search.DefaultLimit, p.Limit)
	assert.Equal(t, []search.Kind{search.Data, search.Messages}, p.Kinds())
	p, err = search.Request{Namespace: "ns1", Kind: search.Data, Skip: search.MaxWindow - 10, Limit: 10}.Plan()
	require.NoError(t, err)
	assert.Equal(t, []search.Kind{search.Data}, p.Kinds())

	for name, r := range map[string]search.Request{
		"no namespace":   {Query: "a"},
		"bad namespace":  {Namespace: "a b"},
		"bad kind":       {Namespace: "ns1", Kind: "blobs"},
		"negative skip":  {Namespace: "ns1", Skip: -1},
		"negative limit": {Namespace: "ns1", Limit: -1},
		"limit too big":  {Namespace: "ns1", Limit: search.MaxLimit + 1},
		"past window":    {Namespace: "ns1", Skip: search.MaxWindow, Limit: 1},
		"bad query":      {Namespace: "ns1", Query: `"a`},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.Plan()
			assert.ErrorIs(t, err, search.ErrInvalidQuery)
			assert.NotErrorIs(t, err, search.ErrInvalidDocument)
		})
	}
}
