package projections

import (
	"encoding/json"
	"fmt"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// put writes a row with doc encoded as its document.
func put(tx Tx, t *Table, row query.Row, doc any) error {
	raw, err := json.Marshal(doc)
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
