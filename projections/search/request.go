package search

import "fmt"

// Paging limits. MaxWindow is Elasticsearch's default max_result_window;
// every adapter enforces it so that a request valid on one is valid on all.
const (
	DefaultLimit = 25
	MaxLimit     = 1000
	MaxWindow    = 10000
)

// Plan is a validated Request with its query parsed, what an adapter
// translates into its engine's query.
type Plan struct {
	Namespace string
	// Kind is empty for both kinds.
	Kind  Kind
	Query Query
	Skip  int
	// Limit is never 0: DefaultLimit when the request said 0.
	Limit int
}

// Plan validates r and parses its query. Errors wrap ErrInvalidQuery.
func (r Request) Plan() (Plan, error) {
	if err := checkNamespace(r.Namespace); err != nil {
		return Plan{}, fmt.Errorf("%w: %w", ErrInvalidQuery, err)
	}
	if r.Kind != "" && !r.Kind.Valid() {
		return Plan{}, fmt.Errorf("%w: kind %q is not %q, %q or empty", ErrInvalidQuery, r.Kind, Messages, Data)
	}
	limit := r.Limit
	if limit == 0 {
		limit = DefaultLimit
	}
	switch {
	case r.Skip < 0:
		return Plan{}, fmt.Errorf("%w: skip %d is negative", ErrInvalidQuery, r.Skip)
	case limit < 0 || limit > MaxLimit:
		return Plan{}, fmt.Errorf("%w: limit %d is not between 1 and %d", ErrInvalidQuery, r.Limit, MaxLimit)
	case r.Skip > MaxWindow-limit:
		return Plan{}, fmt.Errorf("%w: skip + limit (%d + %d) is over %d", ErrInvalidQuery, r.Skip, limit, MaxWindow)
	}
	q, err := ParseQuery(r.Query)
	if err != nil {
		return Plan{}, err
	}
	return Plan{Namespace: r.Namespace, Kind: r.Kind, Query: q, Skip: r.Skip, Limit: limit}, nil
}

// Kinds returns the kinds the plan searches.
func (p Plan) Kinds() []Kind {
	if p.Kind != "" {
		return []Kind{p.Kind}
	}
	return Kinds()
}
