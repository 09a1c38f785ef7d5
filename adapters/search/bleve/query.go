package bleve

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	blevesearch "github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// translate turns a plan into one Bleve query: the namespace (and kind)
// terms and every positive clause must match, no excluded clause may. The
// namespace and kind terms add the same score to every hit, so they change
// no order.
func translate(p search.Plan) query.Query {
	must := []query.Query{term(namespaceField, p.Namespace)}
	if p.Kind != "" {
		must = append(must, term(kindField, string(p.Kind)))
	}
	var mustNot []query.Query
	for _, c := range p.Query.Clauses {
		if c.Exclude {
			mustNot = append(mustNot, clause(c))
		} else {
			must = append(must, clause(c))
		}
	}
	return query.NewBooleanQuery(must, nil, mustNot)
}

func clause(c search.Clause) query.Query {
	field := c.Field
	if field == "" {
		field = search.TextField
	}
	switch {
	case c.Prefix:
		// Not analyzed: a text prefix is already one lower-case word, a
		// field prefix is compared as typed.
		return constantPrefix{prefix: c.Value, field: field}
	case c.Field == "":
		// A word or a phrase: the words it analyzes to, in sequence.
		q := query.NewMatchPhraseQuery(c.Value)
		q.SetField(field)
		q.Analyzer = textAnalyzer
		return q
	default:
		return term(field, c.Value)
	}
}

func term(field, value string) query.Query {
	q := query.NewTermQuery(value)
	q.SetField(field)
	return q
}

// constantPrefix is a prefix clause that adds nothing to the score: every
// document it matches matches it alike, as with Elasticsearch's default
// constant_score rewrite of a prefix query. Bleve's own PrefixQuery scores
// each document once per term the prefix expands to; unscored, and without
// term locations, its searcher is a union of those terms' postings. A
// common three-letter prefix was the slowest search of bench query by far
// (~350 ms at 300,000 documents).
type constantPrefix struct {
	prefix, field string
}

// Searcher implements query.Query.
func (q constantPrefix) Searcher(ctx context.Context, r index.IndexReader, _ mapping.IndexMapping, options blevesearch.SearcherOptions) (blevesearch.Searcher, error) {
	options.Score = "none"
	return searcher.NewTermPrefixSearcher(ctx, r, q.prefix, q.field, 1, options)
}

// matchesText reports whether q has a clause that matches words of Text,
// whose matches a hit shows.
func matchesText(q search.Query) bool {
	for _, c := range q.Positive() {
		if c.Field == "" {
			return true
		}
	}
	return false
}
