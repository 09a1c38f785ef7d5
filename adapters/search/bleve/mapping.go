package bleve

import (
	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// MappingVersion names the index directory; bump it with any change to
// the mapping or to what is indexed, so that a node starts a new index.
// Version 2 no longer indexes the documents' time: nothing queried it, and
// its date terms were ~2% of a busy node's CPU. Version 3 no longer stores
// the text (highlights are built from the read model's, see Search): the
// index of 150,000 messages went from 77 to 54 MB and indexed ~29% faster.
const MappingVersion = 3

// Names in the index besides the declared fields.
const (
	textAnalyzer   = "lm_text"
	namespaceField = "namespace"
	kindField      = "kind"
)

// newMapping is the explicit mapping: nothing is indexed that is not listed
// here, and nothing goes into Bleve's composite _all field.
func newMapping() (*mapping.IndexMappingImpl, error) {
	m := bleve.NewIndexMapping()
	// The words of the package doc: UAX #29 segmentation (Bleve's unicode
	// tokenizer, faster on ASCII: tokenizer.go), lower case, no stemming
	// and no stop words, as Elasticsearch's standard tokenizer and
	// lowercase filter do.
	if err := m.AddCustomAnalyzer(textAnalyzer, map[string]any{
		"type":          custom.Name,
		"tokenizer":     wordsTokenizer,
		"token_filters": []any{lowercase.Name},
	}); err != nil {
		return nil, err
	}
	m.ScoringModel = index.BM25Scoring
	m.DefaultAnalyzer = keyword.Name
	m.IndexDynamic = false
	m.StoreDynamic = false
	m.DocValuesDynamic = false

	doc := bleve.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(namespaceField, exact())
	doc.AddFieldMappingsAt(kindField, exact())
	for _, f := range search.Fields() {
		doc.AddFieldMappingsAt(f.Name, exact())
	}
	text := bleve.NewTextFieldMapping()
	text.Analyzer = textAnalyzer
	// Not stored: the read model has the text. The term vectors say where
	// each word is, for phrases and for the matches of hits.
	text.Store = false
	text.IncludeTermVectors = true
	text.IncludeInAll = false
	text.DocValues = false
	doc.AddFieldMappingsAt(search.TextField, text)

	m.DefaultMapping = doc
	return m, m.Validate()
}

// exact is a keyword field: one term per value, not stored.
func exact() *mapping.FieldMapping {
	f := bleve.NewKeywordFieldMapping()
	f.Store = false
	f.IncludeInAll = false
	f.IncludeTermVectors = false
	f.DocValues = false
	return f
}

// source is what Bleve indexes for d (canonical, see search.PrepareBatch).
func source(d search.Document) map[string]any {
	m := map[string]any{
		namespaceField:   d.Namespace,
		kindField:        string(d.Kind),
		search.TextField: d.Text,
	}
	for name, values := range d.Fields {
		m[name] = values
	}
	return m
}
