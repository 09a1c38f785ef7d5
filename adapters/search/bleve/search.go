package bleve

import (
	"context"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2"
	blevesearch "github.com/blevesearch/bleve/v2/search"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// Search implements search.Index. Ties in score are broken by Bleve's
// document id, which is "<id>/<kind>/<namespace>": by id, then kind.
func (x *Index) Search(ctx context.Context, r search.Request) (search.Result, error) {
	p, err := r.Plan()
	if err != nil {
		return search.Result{}, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return search.Result{}, search.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return search.Result{}, fmt.Errorf("bleve search: %w", err)
	}
	req := bleve.NewSearchRequestOptions(translate(p), p.Limit, p.Skip, false)
	req.SortBy([]string{"-_score", "_id"})
	// The index keeps where each word is (for phrases) but not the text:
	// the hits carry their matches, and search.WithHighlights builds the
	// highlights from the text the read model gives.
	req.IncludeLocations = true
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return search.Result{}, fmt.Errorf("bleve search: %w", err)
	}
	out := search.Result{Total: int(res.Total), Hits: make([]search.Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		_, kind, id, err := search.ParseKey(h.ID)
		if err != nil {
			return search.Result{}, fmt.Errorf("bleve search: %w", err)
		}
		out.Hits = append(out.Hits, search.Hit{Kind: kind, ID: id, Score: h.Score, Matches: matches(h.Locations[search.TextField])})
	}
	return out, nil
}

// matches lists where the terms of the positive text clauses are in the
// text, in order. Bleve reports the locations of the clauses that matched
// only (a phrase's words where the phrase is, not elsewhere), none of an
// excluded clause.
func matches(terms blevesearch.TermLocationMap) []search.Span {
	var out []search.Span
	for _, locs := range terms {
		for _, l := range locs {
			out = append(out, search.Span{Start: int(l.Start), End: int(l.End)}) //nolint:gosec // offsets into a text of at most a few MiB
		}
	}
	slices.SortFunc(out, func(a, b search.Span) int { return a.Start - b.Start })
	return out
}
