package bleve

import (
	"context"
	"fmt"
	"slices"

	"github.com/blevesearch/bleve/v2"
	blevesearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"

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
	q := translate(p)
	req := bleve.NewSearchRequestOptions(q, p.Limit, p.Skip, false)
	req.SortBy([]string{"-_score", "_id"})
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return search.Result{}, fmt.Errorf("bleve search: %w", err)
	}
	locations, err := x.locations(ctx, p, q, res.Hits)
	if err != nil {
		return search.Result{}, err
	}
	out := search.Result{Total: int(res.Total), Hits: make([]search.Hit, 0, len(res.Hits))}
	for _, h := range res.Hits {
		_, kind, id, err := search.ParseKey(h.ID)
		if err != nil {
			return search.Result{}, fmt.Errorf("bleve search: %w", err)
		}
		out.Hits = append(out.Hits, search.Hit{Kind: kind, ID: id, Score: h.Score, Matches: matches(locations[h.ID])})
	}
	return out, nil
}

// locations finds where the text clauses of q matched in the documents of
// hits, by running q again on those documents alone with term locations.
// The index keeps where each word is (for phrases) but not the text: the
// hits carry their matches, and search.WithHighlights builds the highlights
// from the text the read model gives. Asking for locations in the search
// itself would decode them for every document that matches, not only for
// the page of hits, and would keep a prefix clause from being a union of
// postings (constantPrefix).
func (x *Index) locations(ctx context.Context, p search.Plan, q query.Query, hits blevesearch.DocumentMatchCollection) (map[string]blevesearch.TermLocationMap, error) {
	if len(hits) == 0 || !matchesText(p.Query) {
		return nil, nil
	}
	ids := make([]string, len(hits))
	for i, h := range hits {
		ids[i] = h.ID
	}
	req := bleve.NewSearchRequestOptions(query.NewConjunctionQuery([]query.Query{query.NewDocIDQuery(ids), q}), len(ids), 0, false)
	req.IncludeLocations = true
	res, err := x.idx.SearchInContext(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("bleve search: the matches of %d hits: %w", len(ids), err)
	}
	out := make(map[string]blevesearch.TermLocationMap, len(res.Hits))
	for _, h := range res.Hits {
		out[h.ID] = h.Locations[search.TextField]
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
