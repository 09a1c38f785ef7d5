package search

import (
	"context"
	"fmt"
	"html"
	"slices"
	"strings"
	"unicode/utf8"
)

// Span is one match in a document's Text: the bytes [Start, End).
type Span struct {
	Start, End int
}

// FragmentBytes is about how much of a Text one highlight shows: a
// fragment grows past it only to keep a match whole.
const FragmentBytes = 200

// fragmentLead is how much text a fragment shows before its first match.
const fragmentLead = FragmentBytes / 5

// Ellipsis marks where a fragment cuts the text.
const Ellipsis = "…"

// Highlight builds the fragment of text that Hit.Highlights holds: the
// stretch of about FragmentBytes with the most matches, HTML-escaped, each
// match wrapped in <mark>…</mark>, with Ellipsis where it cuts the text. It
// returns false when no span is a match in text: spans out of range, empty
// or not on character boundaries are ignored, so spans meant for another
// version of the text never cut a character in two. Overlapping spans are
// marked as one.
func Highlight(text string, spans []Span) (string, bool) {
	ms := normalSpans(text, spans)
	if len(ms) == 0 {
		return "", false
	}
	from, to := fragmentWindow(text, ms)
	var b strings.Builder
	b.Grow(to - from + len(ms)*len("<mark></mark>") + 2*len(Ellipsis))
	if from > 0 {
		b.WriteString(Ellipsis)
	}
	at := from
	for _, m := range ms {
		if m.Start < from || m.End > to {
			continue
		}
		b.WriteString(html.EscapeString(text[at:m.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[m.Start:m.End]))
		b.WriteString("</mark>")
		at = m.End
	}
	b.WriteString(html.EscapeString(text[at:to]))
	if to < len(text) {
		b.WriteString(Ellipsis)
	}
	return b.String(), true
}

// normalSpans returns the valid spans of text in order, overlapping ones
// merged.
func normalSpans(text string, spans []Span) []Span {
	out := make([]Span, 0, len(spans))
	for _, s := range spans {
		if s.Start < 0 || s.End > len(text) || s.Start >= s.End ||
			!boundary(text, s.Start) || !boundary(text, s.End) {
			continue
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(a, b Span) int { return a.Start - b.Start })
	merged := out[:0]
	for _, s := range out {
		if n := len(merged); n > 0 && s.Start < merged[n-1].End {
			merged[n-1].End = max(merged[n-1].End, s.End)
			continue
		}
		merged = append(merged, s)
	}
	return merged
}

// boundary reports whether i is where a character of text starts (or its
// end).
func boundary(text string, i int) bool {
	return i == len(text) || utf8.RuneStart(text[i])
}

// fragmentWindow picks the bytes [from, to) of text to show: the whole text
// when it is short, else the window of FragmentBytes starting fragmentLead
// before a match that holds the most matches (the first such), widened to
// character boundaries and to the end of a match it would cut.
func fragmentWindow(text string, ms []Span) (from, to int) {
	if len(text) <= FragmentBytes {
		return 0, len(text)
	}
	window := func(first Span) (int, int) {
		from := max(0, first.Start-fragmentLead)
		to := min(len(text), from+FragmentBytes)
		from = max(0, min(from, to-FragmentBytes))
		return from, to
	}
	best, bestCount := 0, 0
	j := 0
	for i := range ms {
		_, to := window(ms[i])
		j = max(j, i)
		for j < len(ms) && ms[j].End <= to {
			j++
		}
		if j-i > bestCount {
			best, bestCount = i, j-i
		}
	}
	from, to = window(ms[best])
	for from > 0 && !utf8.RuneStart(text[from]) {
		from--
	}
	for _, m := range ms {
		if m.Start < to && m.End > to {
			to = m.End
		}
	}
	for to < len(text) && !utf8.RuneStart(text[to]) {
		to++
	}
	return from, to
}

// Ref names one document of a namespace.
type Ref struct {
	Kind Kind
	ID   string // canonical
}

// TextSource gives the Text of indexed documents, for an engine that keeps
// only where its matches are (Hit.Matches) and not the text itself.
type TextSource interface {
	// Texts returns the Text of each document of namespace ns in refs that
	// it has, as it was indexed; a document it does not have is absent.
	Texts(ctx context.Context, ns string, refs []Ref) (map[Ref]string, error)
}

// WithHighlights returns idx whose Search fills the Highlights of every hit
// that has Matches and no Highlights, from the text texts gives (see
// Highlight). Hits of an engine that highlights itself are left as they are.
func WithHighlights(idx Index, texts TextSource) Index {
	return &highlighting{inner: idx, texts: texts}
}

// highlighting is WithHighlights' Index: Search adds highlights, the rest
// is the inner index's.
type highlighting struct {
	inner Index
	texts TextSource
}

func (h *highlighting) Index(ctx context.Context, docs ...Document) error {
	return h.inner.Index(ctx, docs...)
}

func (h *highlighting) Delete(ctx context.Context, ns string, kind Kind, ids ...string) error {
	return h.inner.Delete(ctx, ns, kind, ids...)
}

func (h *highlighting) Flush(ctx context.Context) error { return h.inner.Flush(ctx) }

func (h *highlighting) Checkpoint(ctx context.Context, name string) (uint64, error) {
	return h.inner.Checkpoint(ctx, name)
}

func (h *highlighting) SetCheckpoint(ctx context.Context, name string, pos uint64) error {
	return h.inner.SetCheckpoint(ctx, name, pos)
}

func (h *highlighting) Close() error { return h.inner.Close() }

func (h *highlighting) Search(ctx context.Context, r Request) (Result, error) {
	res, err := h.inner.Search(ctx, r)
	if err != nil {
		return res, err
	}
	var refs []Ref
	for _, hit := range res.Hits {
		if hit.Highlights == nil && len(hit.Matches) > 0 {
			refs = append(refs, Ref{Kind: hit.Kind, ID: hit.ID})
		}
	}
	if len(refs) == 0 {
		return res, nil
	}
	texts, err := h.texts.Texts(ctx, r.Namespace, refs)
	if err != nil {
		return Result{}, fmt.Errorf("search: reading the text of %d hits to highlight: %w", len(refs), err)
	}
	for i := range res.Hits {
		hit := &res.Hits[i]
		if hit.Highlights != nil || len(hit.Matches) == 0 {
			continue
		}
		text, ok := texts[Ref{Kind: hit.Kind, ID: hit.ID}]
		if !ok {
			continue
		}
		if f, ok := Highlight(text, hit.Matches); ok {
			hit.Highlights = map[string][]string{TextField: {f}}
		}
	}
	return res, nil
}
