package bleve

import (
	"github.com/blevesearch/bleve/v2/search/query"

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
		q := query.NewPrefixQuery(c.Value)
		q.SetField(field)
		return q
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
