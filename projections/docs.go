package projections

import (
	"encoding/json"
	"fmt"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// put writes a row with doc encoded as its document.
func put(tx Tx, t *Table, row query.Row, doc any) error {
	var raw []byte
	var err error
	if a, ok := doc.(jsonAppender); ok {
		raw, err = a.appendJSON(make([]byte, 0, 512))
	} else {
		raw, err = json.Marshal(doc)
	}
	if err != nil {
		return fmt.Errorf("%s: encoding the document: %w", t.Name(), err)
	}
	return tx.Put(t, row, raw)
}

// load reads a row's document into doc; false when there is no row.
func load(tx Tx, t *Table, ns string, key any, doc any) (bool, error) {
	raw, found, err := tx.Get(t, ns, key)
	if err != nil || !found {
		return false, err
	}
	if err := json.Unmarshal(raw, doc); err != nil {
		return false, fmt.Errorf("%s: stored document of %v: %w", t.Name(), key, err)
	}
	return true, nil
}

// optional is nil for a zero value, so an absent value is NULL.
func optional[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

// rawValue keeps a JSON value as it is when re-encoded.
func rawValue(v []byte) json.RawMessage { return json.RawMessage(v) }

// loadDoc reads a row's document as load does, from tx's cache when an
// earlier load or putDoc of this transaction left it there. The result is
// the caller's to change (a shallow copy: slices are shared, replace them
// rather than write into them).
func loadDoc[T any](tx Tx, t *Table, ns string, key any) (T, bool, error) {
	if d, ok := cachedDoc[T](tx, t, ns, key); ok {
		return *d, true, nil
	}
	d := new(T)
	found, err := load(tx, t, ns, key, d)
	if err != nil || !found {
		return *d, false, err
	}
	rememberDoc(tx, t, ns, key, d)
	return *d, true, nil
}

// putDoc writes a row as put does and caches doc as its document for
// loadDoc. doc must decode back from its JSON to an equal value (see
// docCachingTx) and must not change afterwards.
func putDoc[T any](tx Tx, t *Table, row query.Row, doc *T) error {
	if err := put(tx, t, row, doc); err != nil {
		return err
	}
	ns, _ := row[NamespaceField].(string)
	rememberDoc(tx, t, ns, row[t.Key()], doc)
	return nil
}
