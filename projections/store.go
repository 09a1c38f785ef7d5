package projections

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// ErrInvalidRow means a projector wrote a row that does not fit its table
// (a missing key, a value of the wrong type): a bug, reported, never stored.
var ErrInvalidRow = errors.New("invalid read-model row")

// Store is the read-model port. Every adapter passes the contract suite in
// test/contract/readmodel. Methods are safe for concurrent use; reads see
// committed transactions only.
type Store interface {
	// Begin starts a write transaction. One Runner writes at a time; the
	// adapter may serialise concurrent transactions.
	Begin(ctx context.Context) (Tx, error)
	// Checkpoints returns the position each projector has applied up to;
	// a projector never run is absent.
	Checkpoints(ctx context.Context) (map[string]event.Position, error)
	// Find runs q (already validated against t's collection) on the rows of
	// t in namespace ns and returns the documents of the requested page in
	// q.Sort order, and, when q.Count, the number of all matching rows.
	Find(ctx context.Context, t *Table, ns string, q query.Query) (docs []json.RawMessage, total int, err error)
	// Get returns the document of one row, false when there is none. key
	// has the Go type of t's key column (query's types: [16]byte for a
	// UUID, [32]byte for a Hash, ...); types query normalises, such as
	// uuid.UUID, are accepted too.
	Get(ctx context.Context, t *Table, ns string, key any) (json.RawMessage, bool, error)
	// Digest hashes every row of every table (columns and document) in
	// table and key order, plus the checkpoints: two read models built from
	// the same log have the same digest.
	Digest(ctx context.Context) (string, error)
	// Close releases the store.
	Close() error
}

// Tx is one read-model transaction: rows and checkpoints commit together.
type Tx interface {
	// Put inserts or replaces the row of t whose (namespace, key) are
	// row["namespace"] and row[t.Key()], with doc as its document. A row
	// that does not fit t is an error wrapping ErrInvalidRow.
	Put(t *Table, row query.Row, doc json.RawMessage) error
	// Get returns a row's document as this transaction sees it (its own
	// writes included); false when there is none.
	Get(t *Table, ns string, key any) (json.RawMessage, bool, error)
	// SetCheckpoint records that projector has applied every event up to
	// and including pos.
	SetCheckpoint(projector string, pos event.Position) error
	// Commit makes the transaction's writes visible; Rollback drops them.
	// Either ends the transaction.
	Commit() error
	Rollback() error
}

// MultiGetter is a Store that reads many rows of one table at once, which
// costs a round trip (a query, a lock, a plan) per chunk of keys rather than
// per key. It is optional: GetMany falls back to Get for a Store without it.
type MultiGetter interface {
	// GetMany returns the documents of the rows of t in namespace ns whose
	// keys are keys, aligned with keys: docs[i] is keys[i]'s document, nil
	// when there is no such row. Keys have Get's types, are checked as Get
	// checks them, and may repeat. Every document is of a commit no older
	// than the last one before the call (the rows need not all be of the
	// same commit unless the adapter says so). A closed store's error is
	// Get's; once ctx is done the error is ctx.Err(). On error docs is nil.
	GetMany(ctx context.Context, t *Table, ns string, keys []any) (docs []json.RawMessage, err error)
}

// GetMany reads keys through st's GetMany when it is a MultiGetter, else
// with one Get per key; the result is as MultiGetter.GetMany's.
func GetMany(ctx context.Context, st Store, t *Table, ns string, keys []any) ([]json.RawMessage, error) {
	if m, ok := st.(MultiGetter); ok {
		return m.GetMany(ctx, t, ns, keys)
	}
	docs := make([]json.RawMessage, len(keys))
	for i, k := range keys {
		doc, found, err := st.Get(ctx, t, ns, k)
		if err != nil {
			return nil, err
		}
		if found {
			docs[i] = doc
		}
	}
	return docs, nil
}
