package search

import (
	"context"
	"errors"
	"time"
)

// Kind is what a document is.
type Kind string

// The kinds of document.
const (
	Messages Kind = "messages"
	Data     Kind = "data"
)

// Kinds lists every kind, in the order of their names.
func Kinds() []Kind { return []Kind{Data, Messages} }

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return k == Messages || k == Data }

// Errors returned by every Index. Adapters wrap them with details.
var (
	// ErrInvalidQuery: the request cannot be run (a query outside the
	// language, an empty or malformed namespace, a bad kind, skip or limit).
	// The caller's fault; the API answers 400.
	ErrInvalidQuery = errors.New("invalid search query")
	// ErrInvalidDocument: a document cannot be indexed (see
	// Document.Validate). A bug in the projector, not a transient failure.
	ErrInvalidDocument = errors.New("invalid search document")
	// ErrClosed: the index was closed.
	ErrClosed = errors.New("search index closed")
)

// Document is one message or data item as the index sees it.
type Document struct {
	// Namespace the document belongs to (the protocol's name rule).
	Namespace string
	// Kind of the document.
	Kind Kind
	// ID is the message or data id, a UUID. It is compared and returned in
	// canonical form (lower-case, hyphenated).
	ID string
	// Fields are the exact values of the fields declared for Kind (see
	// Fields), searched with field:value. A field may have several values
	// only if it is declared Multi (topics); an empty list or an empty value
	// is the same as no field.
	Fields map[string][]string
	// Text is searched by words: for data, FlattenJSON of the value; for a
	// message, the text of its data.
	Text string
	// Time the message or data was created. Elasticsearch indexes it;
	// Bleve (mapping version 2) does not, as no query uses it yet. It plays
	// no part in the order of hits.
	Time time.Time
}

// Hit is one document found.
type Hit struct {
	Kind Kind
	// ID in canonical form.
	ID string
	// Score is the engine's relevance: higher is better, comparable only
	// within one Result.
	Score float64
	// Highlights maps "text" to at most one fragment of the document's Text
	// around the matches, HTML-escaped, with each match wrapped in
	// <mark>…</mark> (a phrase may be marked word by word or whole,
	// depending on the engine). Absent when no positive clause matched in
	// Text.
	Highlights map[string][]string
	// Matches are where the positive clauses matched in the document's
	// Text, for an engine that does not keep the text to highlight it
	// (Bleve): WithHighlights turns them into Highlights. Nil from an
	// engine that fills Highlights itself.
	Matches []Span
}

// Request is one search.
type Request struct {
	// Namespace to search; required.
	Namespace string
	// Kind restricts the search to one kind; empty searches both.
	Kind Kind
	// Query in the package's query language; empty matches everything.
	Query string
	// Skip hits before the first one returned (>= 0).
	Skip int
	// Limit on the hits returned: 0 means DefaultLimit, at most MaxLimit,
	// and Skip+Limit at most MaxWindow.
	Limit int
}

// Result of a search.
type Result struct {
	// Total number of documents that match, whatever Skip and Limit.
	Total int
	// Hits from Skip, at most Limit, in order (see the package doc).
	Hits []Hit
}

// Index is a full-text index of a node's messages and data. Implementations
// are safe for concurrent use; the caller must not Index or Delete the same
// document from two goroutines at once (the projector is sequential).
type Index interface {
	// Index adds documents, or replaces those with the same namespace, kind
	// and id, whole. It is idempotent. Within one call a later document
	// with the key of an earlier one wins. Every document is validated
	// first: if one is invalid the error wraps ErrInvalidDocument and
	// nothing is written. Otherwise the call is not atomic (a failure may
	// leave some documents written), but it can safely be retried. Indexed
	// documents are searchable once Flush returns, perhaps earlier.
	// A cancelled ctx stops the call with an error wrapping ctx.Err().
	Index(ctx context.Context, docs ...Document) error
	// Delete removes the documents of kind with the given ids from
	// namespace ns. Ids that are not indexed are ignored, so it is
	// idempotent. A malformed ns, kind or id is an error wrapping
	// ErrInvalidDocument and nothing is deleted. Like Index, it becomes
	// visible at the latest when Flush returns.
	Delete(ctx context.Context, ns string, kind Kind, ids ...string) error
	// Search runs r (see Request and the package doc for the language and
	// the order of hits). An invalid request is an error wrapping
	// ErrInvalidQuery; nothing is searched. Two searches of an unchanged
	// index return the same hits in the same order.
	Search(ctx context.Context, r Request) (Result, error)
	// Flush makes everything indexed or deleted so far searchable.
	Flush(ctx context.Context) error
	// Checkpoint returns the position a projector recorded with
	// SetCheckpoint, 0 when it never did. name is the projector's
	// versioned name (ValidateCheckpointName); an invalid one is an error
	// wrapping ErrInvalidDocument.
	Checkpoint(ctx context.Context, name string) (uint64, error)
	// SetCheckpoint records that projector name has indexed everything up
	// to pos. It is durable, and ordered after the Index and Delete calls
	// that returned before it: an index that keeps the checkpoint after a
	// crash keeps those documents too (it may also keep later ones, which
	// the projector indexes again; Index is idempotent). Positions may go
	// down (a projector rebuilding from 0).
	SetCheckpoint(ctx context.Context, name string, pos uint64) error
	// Close releases the index. It is idempotent; every other method
	// returns an error wrapping ErrClosed afterwards.
	Close() error
}

// CheckpointingIndex is an Index that can write documents and a checkpoint
// in one go. It is optional: the projector uses it when the adapter has
// it, and Index then SetCheckpoint otherwise. An engine where each write
// makes work of its own (Bleve: a segment to persist and merge) does one
// write fewer per batch.
type CheckpointingIndex interface {
	Index
	// IndexWithCheckpoint is Index(ctx, docs...) then SetCheckpoint(ctx,
	// name, pos), with their contracts (validation, errors, ordering,
	// durability), except that the checkpoint is written with the last of
	// the documents, atomically: when it returns an error the checkpoint
	// was not changed, though some documents may have been written. An
	// invalid name or document writes nothing. With no docs it is
	// SetCheckpoint.
	IndexWithCheckpoint(ctx context.Context, name string, pos uint64, docs ...Document) error
}
