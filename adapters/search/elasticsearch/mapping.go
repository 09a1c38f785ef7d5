package elasticsearch

import (
	"strconv"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// MappingVersion is part of the index name; bump it with any change to the
// template or to what is indexed, so that a node starts a new index.
const MappingVersion = 1

// Names in the index besides the declared fields.
const (
	textAnalyzer   = "lm_text"
	namespaceField = "namespace"
	kindField      = "kind"
	idField        = "id"
	timeField      = "time"
)

// indexName is the name of the index (and of its template) for a prefix.
func indexName(prefix string) string {
	return prefix + "-v" + strconv.Itoa(MappingVersion)
}

// template is the body of PUT _index_template/<name>: it applies to the one
// index of that name only.
func template(name string) map[string]any {
	properties := map[string]any{
		namespaceField:   keyword(),
		kindField:        keyword(),
		idField:          keyword(), // doc values: the tie-breaker of the sort
		search.TextField: map[string]any{"type": "text", "analyzer": textAnalyzer},
		timeField:        map[string]any{"type": "date"},
	}
	for _, f := range search.Fields() {
		properties[f.Name] = keyword()
	}
	return map[string]any{
		"index_patterns": []string{name},
		"priority":       200,
		"_meta":          map[string]any{"managed_by": "ledgermirror", "mapping_version": MappingVersion},
		"template": map[string]any{
			"settings": map[string]any{
				// One shard: BM25 statistics are the whole index's and the
				// order of ties never depends on which shard answered.
				"number_of_shards": 1,
				"analysis": map[string]any{
					"analyzer": map[string]any{
						// The words of the package doc: UAX #29 segmentation,
						// lower case, no stemming, no stop words (Bleve's
						// unicode tokenizer and to_lower filter).
						textAnalyzer: map[string]any{"type": "custom", "tokenizer": "standard", "filter": []string{"lowercase"}},
					},
				},
			},
			"mappings": map[string]any{
				"dynamic":    "strict",
				"properties": properties,
			},
		},
	}
}

// keyword is an exact field; values are bounded by search.MaxFieldValueBytes,
// far below Lucene's term limit.
func keyword() map[string]any { return map[string]any{"type": "keyword"} }

// source is the _source of d (canonical, see search.PrepareBatch).
func source(d search.Document) map[string]any {
	m := map[string]any{
		namespaceField:   d.Namespace,
		kindField:        string(d.Kind),
		idField:          d.ID,
		search.TextField: d.Text,
	}
	if !d.Time.IsZero() {
		m[timeField] = d.Time.UTC()
	}
	for name, values := range d.Fields {
		f, _ := search.LookupField(name)
		if f.Multi {
			m[name] = values
		} else {
			m[name] = values[0]
		}
	}
	return m
}
