package elasticsearch

import (
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// highlightMaxAnalyzedOffset stops highlighting a long text short of the
// index's limit (index.highlight.max_analyzed_offset, 1,000,000 by default)
// rather than failing the search.
const highlightMaxAnalyzedOffset = 999_999

// searchBody is the body of POST /<index>/_search for a plan: the namespace
// and kind as filters (they do not score), each positive clause in must and
// each excluded one in must_not, every match counted, hits sorted by score
// then id then kind, and the text highlighted with <mark>, HTML-escaped, in
// one fragment of about 200 characters (as Bleve's highlighter does).
func searchBody(p search.Plan) map[string]any {
	filter := []any{term(namespaceField, p.Namespace)}
	if p.Kind != "" {
		filter = append(filter, term(kindField, string(p.Kind)))
	}
	boolQuery := map[string]any{"filter": filter}
	var must, mustNot []any
	for _, c := range p.Query.Clauses {
		if c.Exclude {
			mustNot = append(mustNot, clause(c))
		} else {
			must = append(must, clause(c))
		}
	}
	if len(must) > 0 {
		boolQuery["must"] = must
	}
	if len(mustNot) > 0 {
		boolQuery["must_not"] = mustNot
	}
	return map[string]any{
		"query":            map[string]any{"bool": boolQuery},
		"from":             p.Skip,
		"size":             p.Limit,
		"track_total_hits": true,
		"_source":          false,
		"sort": []any{
			map[string]any{"_score": "desc"},
			map[string]any{idField: "asc"},
			map[string]any{kindField: "asc"},
		},
		"highlight": map[string]any{
			"pre_tags":            []string{"<mark>"},
			"post_tags":           []string{"</mark>"},
			"encoder":             "html",
			"require_field_match": true,
			"max_analyzed_offset": highlightMaxAnalyzedOffset,
			"fields": map[string]any{
				search.TextField: map[string]any{"number_of_fragments": 1, "fragment_size": 200, "no_match_size": 0},
			},
		},
	}
}

func clause(c search.Clause) map[string]any {
	field := c.Field
	if field == "" {
		field = search.TextField
	}
	switch {
	case c.Prefix:
		// Not analyzed: a text prefix is already one lower-case word, a
		// field prefix is compared as typed.
		return map[string]any{"prefix": map[string]any{field: map[string]any{"value": c.Value}}}
	case c.Field == "":
		// A word or a phrase: the words it analyzes to, in sequence.
		return map[string]any{"match_phrase": map[string]any{field: map[string]any{"query": c.Value}}}
	default:
		return term(field, c.Value)
	}
}

func term(field, value string) map[string]any {
	return map[string]any{"term": map[string]any{field: map[string]any{"value": value}}}
}
