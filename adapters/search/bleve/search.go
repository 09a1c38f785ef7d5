package bleve

import (
	"context"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2"
	htmlhighlight "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"

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
	// The html highlighter escapes the text and wraps matches in <mark>.
	req.Highlight = bleve.NewHighlightWithStyle(htmlhighlight.Name)
	req.Highlight.AddField(search.TextField)
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
		out.Hits = append(out.Hits, search.Hit{Kind: kind, ID: id, Score: h.Score, Highlights: highlights(h.Fragments)})
	}
	return out, nil
}

// highlights keeps the fragments that mark a match: Bleve may return a
// fragment of a field whose only matches came from another clause.
func highlights(fragments map[string][]string) map[string][]string {
	var out map[string][]string
	for field, frags := range fragments {
		for _, f := range frags {
			if strings.Contains(f, "<mark>") {
				if out == nil {
					out = map[string][]string{}
				}
				out[field] = append(out[field], f)
			}
		}
	}
	return out
}
