// Package bleve is the embedded search index (projections/search.Index) of a
// node: a Bleve v2 (scorch) index in a directory of the node's data
// directory, needing no server.
//
// Every namespace and kind share one index; a document's Bleve id is
// search.Document.Key ("<id>/<kind>/<namespace>"), and each search is
// restricted by exact terms on the namespace and kind fields. The mapping is
// explicit (mapping.go): Text goes through the unicode tokenizer (UAX #29
// words) and a lower-case filter, with term vectors (where each word is, for
// phrases) but not stored: a hit carries the byte offsets of its matches
// (search.Hit.Matches), and search.WithHighlights builds the highlight from
// the text the read model gives back, which costs a few reads per page of
// hits instead of a second copy of every text in the index. The declared
// fields are keywords, indexed whole.
// Scoring is BM25, like Elasticsearch's. Queries are translated from
// search.Query clause by clause (query.go); the user's string never reaches
// Bleve's own query-string parser, whose syntax differs.
//
// The index lives in <dir>/bleve-v<MappingVersion>: a change of mapping
// starts a new, empty directory that the projector fills again, rather than
// mixing two mappings in one index.
//
// Index and Delete write through Bleve batches of at most Config.BatchSize
// documents; a batch is searchable when its call returns, so Flush has
// nothing to wait for. Scorch persists batches to disk in the background and
// Close waits for that; what a crash loses is re-indexed from the event
// store, since the search index is derived.
package bleve
