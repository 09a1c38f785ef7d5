// Package search is the contract suite of the search port
// (projections/search.Index). Every adapter runs it from a _test.go file:
//
//	search.Run(t, func(t *testing.T) search.Index { ... a fresh, empty index ... })
//
// An adapter is done when the suite passes. The suite closes every index it
// opens; open should register its own cleanup for anything else it creates
// (a directory, a remote index).
package search

import (
	"context"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// Run runs the whole contract, one subtest per rule, each on a fresh index.
func Run(t *testing.T, open func(t *testing.T) search.Index) {
	require.NotNil(t, open)
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"term", testTerm},
		{"phrase", testPhrase},
		{"field", testField},
		{"exclusion", testExclusion},
		{"prefix", testPrefix},
		{"empty query", testEmptyQuery},
		{"unicode", testUnicode},
		{"namespace isolation", testNamespaceIsolation},
		{"kind filter", testKindFilter},
		{"reindex replaces", testReindex},
		{"delete", testDelete},
		{"paging", testPaging},
		{"highlights", testHighlights},
		{"invalid query", testInvalidQuery},
		{"invalid document", testInvalidDocument},
		{"cancelled context", testCancelled},
		{"concurrent use", testConcurrent},
		{"close", testClose},
		{"checkpoint", testCheckpoint},
		{"index with checkpoint", testIndexWithCheckpoint},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idx := open(t)
			require.NotNil(t, idx)
			t.Cleanup(func() { assert.NoError(t, idx.Close()) })
			tc.fn(t, &env{idx: idx, names: map[string]string{}, texts: textMap{}})
		})
	}
}

// env is one subtest's index and the names of the documents it indexed.
type env struct {
	idx   search.Index
	names map[string]string // canonical id -> fixture name
	// texts are the texts of the documents index indexed, for engines
	// that leave the highlights to search.WithHighlights (Hit.Matches).
	texts textMap
}

// textMap is a search.TextSource of the documents a test indexed.
type textMap map[string]string // search.Key -> Text

func (m textMap) Texts(_ context.Context, ns string, refs []search.Ref) (map[search.Ref]string, error) {
	out := map[search.Ref]string{}
	for _, r := range refs {
		if text, ok := m[search.Key(ns, r.Kind, r.ID)]; ok {
			out[r] = text
		}
	}
	return out, nil
}

// id is the id of the fixture document called name, stable across runs.
func (e *env) id(name string) string {
	id := uuid.NewSHA1(uuid.NameSpaceOID, []byte("ledgermirror/search/"+name)).String()
	e.names[id] = name
	return id
}

func (e *env) doc(ns string, kind search.Kind, name, text string, fields map[string][]string) search.Document {
	return search.Document{
		Namespace: ns, Kind: kind, ID: e.id(name), Text: text, Fields: fields,
		Time: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

func (e *env) index(t *testing.T, docs ...search.Document) {
	t.Helper()
	require.NoError(t, e.idx.Index(context.Background(), docs...))
	require.NoError(t, e.idx.Flush(context.Background()))
	for _, d := range docs {
		if id, err := search.CanonicalID(d.ID); err == nil {
			e.texts[search.Key(d.Namespace, d.Kind, id)] = d.Text
		}
	}
}

// search runs r, with the highlights search.WithHighlights adds to the
// hits' Matches, and checks what every result must satisfy: hits in order
// of score then id and kind, no duplicate, no more than Limit, Total
// consistent with the hits.
func (e *env) search(t *testing.T, r search.Request) search.Result {
	t.Helper()
	res, err := search.WithHighlights(e.idx, e.texts).Search(context.Background(), r)
	require.NoError(t, err, "query %q", r.Query)
	limit := r.Limit
	if limit == 0 {
		limit = search.DefaultLimit
	}
	assert.LessOrEqual(t, len(res.Hits), limit)
	assert.GreaterOrEqual(t, res.Total, r.Skip+len(res.Hits), "total %d with %d hits from %d", res.Total, len(res.Hits), r.Skip)
	assert.True(t, sort.SliceIsSorted(res.Hits, func(i, j int) bool { return before(res.Hits[i], res.Hits[j]) }),
		"hits of %q not in order of score, id, kind: %+v", r.Query, res.Hits)
	seen := map[string]bool{}
	for _, h := range res.Hits {
		key := string(h.Kind) + "/" + h.ID
		assert.False(t, seen[key], "duplicate hit %s", key)
		seen[key] = true
		assert.True(t, h.Kind.Valid(), "hit kind %q", h.Kind)
		if r.Kind != "" {
			assert.Equal(t, r.Kind, h.Kind)
		}
	}
	return res
}

func before(a, b search.Hit) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	if a.ID != b.ID {
		return a.ID < b.ID
	}
	return a.Kind < b.Kind
}

// find returns the sorted fixture names of every document matching query
// in ns (all pages).
func (e *env) find(t *testing.T, ns string, kind search.Kind, query string) []string {
	t.Helper()
	res := e.search(t, search.Request{Namespace: ns, Kind: kind, Query: query, Limit: search.MaxLimit})
	require.Equal(t, res.Total, len(res.Hits), "query %q: all hits fit in one page", query)
	names := make([]string, 0, len(res.Hits))
	for _, h := range res.Hits {
		name, ok := e.names[h.ID]
		require.True(t, ok, "query %q: hit %s is no fixture", query, h.ID)
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// expect checks the names each query finds in ns, all kinds.
func (e *env) expect(t *testing.T, ns string, kind search.Kind, want map[string][]string) {
	t.Helper()
	for q, names := range want {
		if names == nil {
			names = []string{}
		}
		slices.Sort(names)
		assert.Equal(t, names, e.find(t, ns, kind, q), "query %q", q)
	}
}
