package elasticsearch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// searchResponse is the part of a _search response that is read.
type searchResponse struct {
	Hits struct {
		Total struct {
			Value int `json:"value"`
		} `json:"total"`
		Hits []struct {
			ID        string              `json:"_id"`
			Score     *float64            `json:"_score"`
			Highlight map[string][]string `json:"highlight"`
		} `json:"hits"`
	} `json:"hits"`
}

// Search implements search.Index.
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
		return search.Result{}, fmt.Errorf("elasticsearch search: %w", err)
	}
	body, err := json.Marshal(searchBody(p))
	if err != nil {
		return search.Result{}, fmt.Errorf("elasticsearch search: %w", err)
	}
	res, err := x.client.Search(
		x.client.Search.WithContext(ctx),
		x.client.Search.WithIndex(x.name),
		x.client.Search.WithBody(bytes.NewReader(body)),
	)
	if err != nil {
		return search.Result{}, fmt.Errorf("elasticsearch search: search: %w", err)
	}
	defer res.Body.Close()
	if res.IsError() {
		return search.Result{}, check("search", res, nil)
	}
	var sr searchResponse
	if err := json.NewDecoder(res.Body).Decode(&sr); err != nil {
		return search.Result{}, fmt.Errorf("elasticsearch search: decode response: %w", err)
	}
	return result(sr)
}

func result(sr searchResponse) (search.Result, error) {
	out := search.Result{Total: sr.Hits.Total.Value, Hits: make([]search.Hit, 0, len(sr.Hits.Hits))}
	for _, h := range sr.Hits.Hits {
		_, kind, id, err := search.ParseKey(h.ID)
		if err != nil {
			return search.Result{}, fmt.Errorf("elasticsearch search: %w", err)
		}
		hit := search.Hit{Kind: kind, ID: id}
		if h.Score != nil {
			hit.Score = *h.Score
		}
		for field, frags := range h.Highlight {
			for _, f := range frags {
				if strings.Contains(f, "<mark>") {
					if hit.Highlights == nil {
						hit.Highlights = map[string][]string{}
					}
					hit.Highlights[field] = append(hit.Highlights[field], f)
				}
			}
		}
		out.Hits = append(out.Hits, hit)
	}
	return out, nil
}
