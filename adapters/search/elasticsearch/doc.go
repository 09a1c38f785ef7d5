// Package elasticsearch is the search index (projections/search.Index) on an
// Elasticsearch 8 cluster, through the official client
// (github.com/elastic/go-elasticsearch/v8).
//
// One index per node, named <Config.Index>-v<MappingVersion>, holds every
// namespace and kind; a document's _id is search.Document.Key and each
// search filters on the namespace and kind keyword fields. Open installs an
// index template with the explicit mapping (mapping.go: dynamic "strict",
// one shard so that scores and the order of ties are the same on every
// run, Text through the standard tokenizer and a lowercase filter, the
// declared fields as keywords) and creates the index. A change of mapping
// bumps MappingVersion, which names a new index to fill again.
//
// Index and Delete go through a bulk indexer (esutil.BulkIndexer) per call,
// and wait for it: per-item failures come back as the call's error. They do
// not refresh; Flush does (POST /<index>/_refresh). Search translates
// search.Query clause by clause into a bool query (query.go): match_phrase
// for words and phrases of Text, prefix for prefixes, term for exact field
// values, must_not for exclusions, and asks for the text highlighted with
// <mark> tags and HTML-escaped.
//
// Tests: the translation and the mapping are compared with golden JSON in
// testdata (go test -update rewrites them), the HTTP exchanges with a fake
// server; the contract suite runs against a real cluster when LM_ES_URL is
// set (test/contract/search).
package elasticsearch
