package search

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

func testNamespaceIsolation(t *testing.T, e *env) {
	// The same id and kind in two namespaces are two documents.
	a := e.doc("ns-a", search.Messages, "same", "alpha shared", map[string][]string{"tag": {"t"}})
	b := e.doc("ns-b", search.Messages, "same", "beta shared", map[string][]string{"tag": {"t"}})
	e.index(t, a, b)
	e.expect(t, "ns-a", "", map[string][]string{"alpha": {"same"}, "beta": nil, "shared": {"same"}, "tag:t": {"same"}, "": {"same"}})
	e.expect(t, "ns-b", "", map[string][]string{"alpha": nil, "beta": {"same"}, "shared": {"same"}})
	e.expect(t, "ns-c", "", map[string][]string{"shared": nil, "": nil})
	// A namespace that is a prefix of another is still another namespace.
	e.index(t, e.doc("ns", search.Messages, "short", "shared", nil))
	e.expect(t, "ns", "", map[string][]string{"shared": {"short"}})

	require.NoError(t, e.idx.Delete(context.Background(), "ns-b", search.Messages, a.ID))
	require.NoError(t, e.idx.Flush(context.Background()))
	e.expect(t, "ns-a", "", map[string][]string{"shared": {"same"}})
	e.expect(t, "ns-b", "", map[string][]string{"shared": nil})
}

func testKindFilter(t *testing.T, e *env) {
	// A message and a data item with the same id and the same text.
	m := e.doc(ns1, search.Messages, "twin", "widget twin", nil)
	d := e.doc(ns1, search.Data, "twin", "widget twin", nil)
	e.index(t, m, d, e.doc(ns1, search.Data, "other", "widget other", nil))
	e.expect(t, ns1, search.Messages, map[string][]string{"widget": {"twin"}, "": {"twin"}})
	e.expect(t, ns1, search.Data, map[string][]string{"widget": {"other", "twin"}, "twin": {"twin"}})

	res := e.search(t, search.Request{Namespace: ns1, Query: "twin"})
	require.Len(t, res.Hits, 2)
	assert.Equal(t, 2, res.Total)
	// Equal scores: ordered by id, then kind.
	assert.Equal(t, []search.Kind{search.Data, search.Messages}, []search.Kind{res.Hits[0].Kind, res.Hits[1].Kind})
	assert.Equal(t, res.Hits[0].ID, res.Hits[1].ID)
	assert.Equal(t, res.Hits[0].Score, res.Hits[1].Score)
}

func testReindex(t *testing.T, e *env) {
	old := e.doc(ns1, search.Messages, "doc", "alpha words", map[string][]string{"tag": {"old"}, "topics": {"x", "y"}})
	e.index(t, old)
	e.expect(t, ns1, "", map[string][]string{"alpha": {"doc"}, "tag:old": {"doc"}})

	// The replacement is whole: no old text, no old field values.
	replaced := old
	replaced.Text = "beta words"
	replaced.Fields = map[string][]string{"tag": {"new"}, "topics": {"y"}}
	e.index(t, replaced)
	e.expect(t, ns1, "", map[string][]string{
		"alpha": nil, "beta": {"doc"}, "words": {"doc"},
		"tag:old": nil, "tag:new": {"doc"}, "topics:x": nil, "topics:y": {"doc"},
	})

	// Idempotent: the same document again, twice in one call, and its id in
	// another form, still make one hit.
	upper := replaced
	upper.ID = strings.ToUpper(replaced.ID)
	e.index(t, replaced, replaced)
	e.index(t, upper)
	res := e.search(t, search.Request{Namespace: ns1, Query: "words"})
	assert.Equal(t, 1, res.Total)
	require.Len(t, res.Hits, 1)
	assert.Equal(t, replaced.ID, res.Hits[0].ID, "ids come back canonical")

	// Within one call, the later document wins.
	first, second := replaced, replaced
	first.Text = "gamma"
	second.Text = "delta"
	e.index(t, first, second)
	e.expect(t, ns1, "", map[string][]string{"gamma": nil, "delta": {"doc"}})
}

func testDelete(t *testing.T, e *env) {
	ctx := context.Background()
	keep := e.doc(ns1, search.Messages, "keep", "common keep", nil)
	gone := e.doc(ns1, search.Messages, "gone", "common gone", nil)
	data := e.doc(ns1, search.Data, "gone", "common data", nil) // same id, other kind
	e.index(t, keep, gone, data)

	require.NoError(t, e.idx.Delete(ctx, ns1, search.Messages, strings.ToUpper(gone.ID)))
	require.NoError(t, e.idx.Flush(ctx))
	e.expect(t, ns1, "", map[string][]string{"common": {"keep", "gone"}, "gone": nil, "data": {"gone"}})
	res := e.search(t, search.Request{Namespace: ns1, Query: "common"})
	assert.Equal(t, 2, res.Total)

	// Idempotent: again, an id never indexed, no id at all.
	require.NoError(t, e.idx.Delete(ctx, ns1, search.Messages, gone.ID, e.id("never")))
	require.NoError(t, e.idx.Delete(ctx, ns1, search.Messages))
	require.NoError(t, e.idx.Flush(ctx))
	e.expect(t, ns1, "", map[string][]string{"common": {"keep", "gone"}})

	// Malformed arguments delete nothing.
	assert.ErrorIs(t, e.idx.Delete(ctx, ns1, search.Messages, keep.ID, "not-a-uuid"), search.ErrInvalidDocument)
	assert.ErrorIs(t, e.idx.Delete(ctx, "", search.Messages, keep.ID), search.ErrInvalidDocument)
	assert.ErrorIs(t, e.idx.Delete(ctx, ns1, "", keep.ID), search.ErrInvalidDocument)
	require.NoError(t, e.idx.Flush(ctx))
	e.expect(t, ns1, "", map[string][]string{"keep": {"keep"}})

	// Re-indexing a deleted document brings it back.
	e.index(t, gone)
	e.expect(t, ns1, search.Messages, map[string][]string{"common": {"keep", "gone"}})
}

func testPaging(t *testing.T, e *env) {
	const n = 23
	docs := make([]search.Document, n)
	for i := range docs {
		// The same text: equal scores, so the order is the order of ids.
		docs[i] = e.doc(ns1, search.Messages, "page-"+string(rune('a'+i)), "paged item", nil)
	}
	e.index(t, docs...)

	all := e.search(t, search.Request{Namespace: ns1, Query: "paged"}) // Limit 0: DefaultLimit
	require.Equal(t, n, all.Total)
	require.Len(t, all.Hits, n)
	for i := 1; i < n; i++ {
		assert.Less(t, all.Hits[i-1].ID, all.Hits[i].ID)
	}
	var paged []search.Hit
	for skip := 0; skip < n; skip += 5 {
		res := e.search(t, search.Request{Namespace: ns1, Query: "paged", Skip: skip, Limit: 5})
		assert.Equal(t, n, res.Total, "total on the page from %d", skip)
		assert.Len(t, res.Hits, min(5, n-skip))
		paged = append(paged, res.Hits...)
	}
	assert.Equal(t, ids(all.Hits), ids(paged))

	past := e.search(t, search.Request{Namespace: ns1, Query: "paged", Skip: n, Limit: 5})
	assert.Equal(t, n, past.Total)
	assert.Empty(t, past.Hits)
	one := e.search(t, search.Request{Namespace: ns1, Query: "paged", Skip: 7, Limit: 1})
	require.Len(t, one.Hits, 1)
	assert.Equal(t, all.Hits[7].ID, one.Hits[0].ID)

	// Deterministic: the same search gives the same hits.
	again := e.search(t, search.Request{Namespace: ns1, Query: "paged"})
	assert.Equal(t, ids(all.Hits), ids(again.Hits))

	// With different scores, pages still concatenate to the whole.
	e.index(t, e.doc(ns1, search.Messages, "dense", "paged paged paged", nil))
	whole := e.search(t, search.Request{Namespace: ns1, Query: "paged", Limit: search.MaxLimit})
	require.Len(t, whole.Hits, n+1)
	paged = nil
	for skip := 0; skip <= n; skip += 4 {
		paged = append(paged, e.search(t, search.Request{Namespace: ns1, Query: "paged", Skip: skip, Limit: 4}).Hits...)
	}
	assert.Equal(t, ids(whole.Hits), ids(paged))
}

func ids(hits []search.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = string(h.Kind) + "/" + h.ID
	}
	return out
}

func testHighlights(t *testing.T, e *env) {
	corpus(t, e)
	hit := func(query, name string) search.Hit {
		t.Helper()
		res := e.search(t, search.Request{Namespace: ns1, Query: query})
		for _, h := range res.Hits {
			if e.names[h.ID] == name {
				return h
			}
		}
		require.Failf(t, "no hit", "query %q did not find %s", query, name)
		return search.Hit{}
	}
	text := func(h search.Hit) string {
		t.Helper()
		require.Len(t, h.Highlights[search.TextField], 1, "highlights %v", h.Highlights)
		return h.Highlights[search.TextField][0]
	}

	// Matching words are marked, in their original case. An engine may
	// mark a phrase word by word or whole: compare the words inside marks.
	assert.Equal(t, []string{"Fox"}, marked(text(hit("fox", "fox"))))
	assert.Equal(t, []string{"brown", "Fox"}, marked(text(hit(`"brown fox"`, "fox"))))
	assert.Equal(t, []string{"Quiet"}, marked(text(hit("qui*", "quiet"))))
	assert.Equal(t, []string{"München"}, marked(text(hit("münchen", "greeting"))))
	// The text around matches is HTML-escaped, the marks are not.
	u := text(hit("urgent", "order"))
	assert.Contains(t, u, "&lt;b&gt;<mark>urgent</mark>&lt;")
	assert.NotContains(t, u, "<b>")
	// A match only in a field, or only excluded words, highlights no text.
	assert.Empty(t, hit("tag:memo", "quiet").Highlights[search.TextField])
	assert.Empty(t, hit("-fox -widget", "quiet").Highlights[search.TextField])
	// Excluded words are not marked.
	assert.Equal(t, []string{"brown"}, marked(text(hit("brown -quick", "order"))))
	assert.Equal(t, []string{"brown"}, marked(text(hit("brown -cat", "fox"))))
}

// marked returns the words inside <mark>…</mark> in a fragment, in order.
func marked(fragment string) []string {
	var words []string
	for _, part := range strings.Split(fragment, "<mark>")[1:] {
		inside, _, _ := strings.Cut(part, "</mark>")
		words = append(words, strings.Fields(inside)...)
	}
	return words
}
