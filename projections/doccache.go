package projections

import (
	"encoding/json"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// maxCachedDocs bounds the decoded documents one transaction keeps. A
// message is submitted, sealed and decided within a few thousand events,
// so the recent documents are the useful ones; past the bound the cache
// starts again empty, which costs decoding, never a different result. (At
// 16,384 the 200,000-event rebuild used no less CPU and ~15 MB more memory.)
const maxCachedDocs = 4096

// docCachingTx is the Tx a Runner hands its projectors: the adapter's
// transaction plus the decoded documents of rows the projectors wrote or
// read in it. While catching up, one message is submitted, sealed and
// decided within one batch, and the events projector reads it before each
// decision; without the cache every one of those steps parses the stored
// JSON (and re-validates the header) only to re-encode it.
//
// The cache lives exactly as long as the transaction, so it can never
// outlive a rollback, and the port and its adapters know nothing of it. A
// cached value stands for the document stored by the same Put, so the
// projectors that use it must write a document that decodes back to an
// equal value (TestCachedProjectionMatchesUncached checks they do).
type docCachingTx struct {
	Tx
	docs map[docKey]any
}

// docKey names a row as a projector does: table, namespace and key in
// query's normal form (so uuid.UUID and [16]byte name the same row).
type docKey struct {
	table *Table
	ns    string
	key   any
}

func newDocCachingTx(tx Tx) *docCachingTx {
	return &docCachingTx{Tx: tx, docs: map[docKey]any{}}
}

// newDocKey is false for a key that cannot name a cached row: NULL, or a
// type that is not a key column's (which could not key a map either).
func newDocKey(t *Table, ns string, key any) (docKey, bool) {
	k, ok := query.Normalize(key)
	switch k.(type) {
	case string, int64, [16]byte, [32]byte:
	default:
		ok = false
	}
	return docKey{table: t, ns: ns, key: k}, ok
}

// Put implements Tx. Whatever was cached for the row is forgotten: a Put
// that did not come with its decoded document (rememberDoc) makes it stale.
func (c *docCachingTx) Put(t *Table, row query.Row, doc json.RawMessage) error {
	ns, _ := row[NamespaceField].(string)
	if k, ok := newDocKey(t, ns, row[t.Key()]); ok {
		delete(c.docs, k)
	}
	return c.Tx.Put(t, row, doc)
}

// cachedDoc returns the document of a row decoded earlier in tx, when tx
// caches them. The value is shared: callers copy it before changing it.
func cachedDoc[T any](tx Tx, t *Table, ns string, key any) (*T, bool) {
	c, ok := tx.(*docCachingTx)
	if !ok {
		return nil, false
	}
	k, ok := newDocKey(t, ns, key)
	if !ok {
		return nil, false
	}
	v, ok := c.docs[k].(*T)
	return v, ok
}

// rememberDoc records v as the decoded document of a row, which tx holds
// (read or just put) as an encoding of v. v must not change afterwards.
func rememberDoc[T any](tx Tx, t *Table, ns string, key any, v *T) {
	c, ok := tx.(*docCachingTx)
	if !ok {
		return
	}
	k, ok := newDocKey(t, ns, key)
	if !ok {
		return
	}
	if len(c.docs) >= maxCachedDocs {
		clear(c.docs)
	}
	c.docs[k] = v
}
