package search_test

import (
	"context"
	"errors"
	"html"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// span finds the n-th (from 0) occurrence of word in text.
func span(t *testing.T, text, word string, n int) search.Span {
	t.Helper()
	at := 0
	for range n + 1 {
		i := strings.Index(text[at:], word)
		require.GreaterOrEqual(t, i, 0, "%q has no occurrence %d of %q", text, n, word)
		at += i + len(word)
	}
	return search.Span{Start: at - len(word), End: at}
}

func TestHighlightMarksMatchesAndEscapes(t *testing.T) {
	text := `<b>Urgent</b> & "late" order`
	f, ok := search.Highlight(text, []search.Span{span(t, text, "late", 0), span(t, text, "Urgent", 0)})
	require.True(t, ok)
	assert.Equal(t, `&lt;b&gt;<mark>Urgent</mark>&lt;/b&gt; &amp; &#34;<mark>late</mark>&#34; order`, f)
}

func TestHighlightMergesOverlapsAndIgnoresInvalidSpans(t *testing.T) {
	text := "grüße aus München"
	m := span(t, text, "München", 0)
	f, ok := search.Highlight(text, []search.Span{
		m, {Start: m.Start, End: m.Start + 3}, // overlapping: one mark
		{Start: 2, End: 3}, // inside "ü": not a character boundary
		{Start: -1, End: 2}, {Start: 5, End: 99}, {Start: 4, End: 4}, {Start: 6, End: 5},
	})
	require.True(t, ok)
	assert.Equal(t, "grüße aus <mark>München</mark>", f)

	_, ok = search.Highlight(text, []search.Span{{Start: 2, End: 3}, {Start: 0, End: 100}})
	assert.False(t, ok, "no valid span: no highlight")
	_, ok = search.Highlight(text, nil)
	assert.False(t, ok)
}

// A long text shows the stretch with the most matches, cut with
// ellipses, never in the middle of a character or of a match.
func TestHighlightPicksTheBusiestStretchOfALongText(t *testing.T) {
	filler := strings.Repeat("é filler ", 60) // ~600 bytes, 2-byte characters
	text := "alpha " + filler + "beta gamma beta " + filler + "omega"
	spans := []search.Span{span(t, text, "alpha", 0), span(t, text, "beta", 0), span(t, text, "beta", 1),
		span(t, text, "gamma", 0), span(t, text, "omega", 0)}
	f, ok := search.Highlight(text, spans)
	require.True(t, ok)
	assert.True(t, strings.HasPrefix(f, search.Ellipsis) && strings.HasSuffix(f, search.Ellipsis), "%q", f)
	assert.Contains(t, f, "<mark>beta</mark> <mark>gamma</mark> <mark>beta</mark>")
	assert.NotContains(t, f, "alpha")
	assert.NotContains(t, f, "omega")
	assert.True(t, utf8.ValidString(f))
	plain := strings.TrimSuffix(strings.TrimPrefix(unmark(f), search.Ellipsis), search.Ellipsis)
	assert.Contains(t, text, plain)
	assert.LessOrEqual(t, len(plain), search.FragmentBytes+4)

	// A match at the very end keeps a whole fragment before it.
	f, ok = search.Highlight(text, []search.Span{span(t, text, "omega", 0)})
	require.True(t, ok)
	assert.True(t, strings.HasSuffix(f, "<mark>omega</mark>"), "%q", f)
	assert.GreaterOrEqual(t, len(unmark(f)), search.FragmentBytes)

	// A match longer than a fragment is shown whole.
	long := strings.Repeat("x", 3*search.FragmentBytes)
	text = filler + long + filler
	f, ok = search.Highlight(text, []search.Span{span(t, text, long, 0)})
	require.True(t, ok)
	assert.Contains(t, f, "<mark>"+long+"</mark>")
}

// unmark strips the marks and unescapes a fragment.
func unmark(f string) string {
	return html.UnescapeString(strings.NewReplacer("<mark>", "", "</mark>", "").Replace(f))
}

func FuzzHighlight(f *testing.F) {
	f.Add("a <b> & c", 0, 1, 4, 5)
	f.Add(strings.Repeat("wörd ", 100), 1, 3, 400, 405)
	f.Add("x", -1, 7, 0, 1)
	f.Fuzz(func(t *testing.T, text string, s1, e1, s2, e2 int) {
		if !utf8.ValidString(text) {
			return // a document's Text is valid UTF-8
		}
		frag, ok := search.Highlight(text, []search.Span{{Start: s1, End: e1}, {Start: s2, End: e2}})
		if !ok {
			assert.Empty(t, frag)
			return
		}
		require.True(t, utf8.ValidString(frag), "%q", frag)
		require.Equal(t, strings.Count(frag, "<mark>"), strings.Count(frag, "</mark>"))
		require.Positive(t, strings.Count(frag, "<mark>"))
		outside := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(frag)
		require.NotContains(t, outside, "<", "everything but the marks is escaped")
		plain := unmark(frag)
		plain = strings.TrimPrefix(plain, search.Ellipsis)
		plain = strings.TrimSuffix(plain, search.Ellipsis)
		require.Contains(t, text, plain, "a fragment is a stretch of the text")
	})
}

// engine is an Index whose Search returns fixed hits; its other methods
// are not called.
type engine struct {
	index
	hits []search.Hit
}

// index lets engine embed the interface: a field named Index would hide
// its method Index.
type index = search.Index

func (e engine) Search(context.Context, search.Request) (search.Result, error) {
	return search.Result{Total: len(e.hits), Hits: append([]search.Hit(nil), e.hits...)}, nil
}

type texts struct {
	m     map[search.Ref]string
	asked []search.Ref
	err   error
}

func (s *texts) Texts(_ context.Context, _ string, refs []search.Ref) (map[search.Ref]string, error) {
	s.asked = append(s.asked, refs...)
	return s.m, s.err
}

func TestWithHighlightsFillsHitsThatCarryMatches(t *testing.T) {
	own := map[string][]string{search.TextField: {"<mark>own</mark>"}}
	hits := []search.Hit{
		{Kind: search.Messages, ID: "m1", Matches: []search.Span{{Start: 0, End: 5}}},
		{Kind: search.Data, ID: "d1", Highlights: own},                                 // the engine's own
		{Kind: search.Data, ID: "d2"},                                                  // a match in a field only
		{Kind: search.Data, ID: "d3", Matches: []search.Span{{Start: 0, End: 1}}},      // no text for it
		{Kind: search.Data, ID: "d4", Matches: []search.Span{{Start: 50, End: 55}}},    // out of its text
		{Kind: search.Messages, ID: "m2", Matches: []search.Span{{Start: 6, End: 11}}}, // same id, other kind below
	}
	src := &texts{m: map[search.Ref]string{
		{Kind: search.Messages, ID: "m1"}: "hello world",
		{Kind: search.Data, ID: "d4"}:     "short",
		{Kind: search.Messages, ID: "m2"}: "hello world",
	}}
	res, err := search.WithHighlights(engine{hits: hits}, src).Search(context.Background(), search.Request{Namespace: "ns"})
	require.NoError(t, err)
	assert.Equal(t, []search.Ref{{Kind: search.Messages, ID: "m1"}, {Kind: search.Data, ID: "d3"},
		{Kind: search.Data, ID: "d4"}, {Kind: search.Messages, ID: "m2"}}, src.asked, "only hits with matches and no highlights")
	got := map[string]map[string][]string{}
	for _, h := range res.Hits {
		got[h.ID] = h.Highlights
	}
	assert.Equal(t, map[string]map[string][]string{
		"m1": {search.TextField: {"<mark>hello</mark> world"}},
		"d1": own, "d2": nil, "d3": nil, "d4": nil,
		"m2": {search.TextField: {"hello <mark>world</mark>"}},
	}, got)

	src.err = errors.New("read model gone")
	_, err = search.WithHighlights(engine{hits: hits}, src).Search(context.Background(), search.Request{Namespace: "ns"})
	assert.ErrorContains(t, err, "read model gone")
}
