package projector

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// prefetch reads the rows the documents of keys need with one
// projections.GetMany per table and namespace rather than one Get per row
// (a query each on the SQLite read model: about half of documents' CPU in
// bench e2e). Two rounds, since a message names its data only in its
// row: the messages and the data items keys touch, then the data of those
// messages that neither the first round nor the Runner's texts hold. The
// documents are then built exactly as without it, in the same order, from
// b.rows; a row it did not read (a text cache entry dropped meanwhile) is
// read by get with Get. Every row is read after the read model applied
// the batch, as Get would read it.
func (b *builder) prefetch(ctx context.Context, keys []docKey) error {
	b.rows = make(map[docKey]json.RawMessage, len(keys))
	b.messages = map[docKey]*messageRow{}
	if err := b.fetch(ctx, keys); err != nil {
		return err
	}
	var refs []docKey
	for _, k := range keys {
		raw := b.rows[k]
		if k.kind != search.Messages || raw == nil {
			continue
		}
		m, err := parseMessageRow(k.id, raw)
		if err != nil {
			continue // document reports it, in its turn
		}
		b.messages[k] = &m
		for _, ref := range m.Data {
			dk := docKey{ns: k.ns, kind: search.Data, id: ref.ID}
			if _, read := b.rows[dk]; read || b.texts.has(dk) {
				continue
			}
			b.rows[dk] = nil // not found, unless the second round finds it
			refs = append(refs, dk)
		}
	}
	return b.fetch(ctx, refs)
}

// fetch reads the rows of keys into b.rows, grouped by table and
// namespace in the order first met.
func (b *builder) fetch(ctx context.Context, keys []docKey) error {
	type group struct {
		kind search.Kind
		ns   string
	}
	var order []group
	byGroup := map[group][]docKey{}
	for _, k := range keys {
		g := group{kind: k.kind, ns: k.ns}
		if _, ok := byGroup[g]; !ok {
			order = append(order, g)
		}
		byGroup[g] = append(byGroup[g], k)
	}
	for _, g := range order {
		ks := byGroup[g]
		ids := make([]any, len(ks))
		for i, k := range ks {
			ids[i] = [16]byte(k.id)
		}
		docs, err := projections.GetMany(ctx, b.rm, tableOf(g.kind), g.ns, ids)
		if err != nil {
			return fmt.Errorf("reading %d %s rows: %w", len(ks), g.kind, err)
		}
		for i, k := range ks {
			b.rows[k] = docs[i]
		}
	}
	return nil
}

// get returns k's row from table: prefetched, else read now.
func (b *builder) get(ctx context.Context, table *projections.Table, k docKey) (json.RawMessage, bool, error) {
	if raw, ok := b.rows[k]; ok {
		return raw, raw != nil, nil
	}
	return b.rm.Get(ctx, table, k.ns, [16]byte(k.id))
}

func tableOf(kind search.Kind) *projections.Table {
	if kind == search.Data {
		return projections.DataTable
	}
	return projections.MessagesTable
}
