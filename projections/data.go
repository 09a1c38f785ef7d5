package projections

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// DataTable holds the data items this node has: stored by its applications
// or received in batches, with their blob's metadata.
var DataTable = NewTable("data", "id", []query.Field{
	{Name: "id", Type: query.UUID, Sortable: true},
	{Name: "hash", Type: query.Hash},
	{Name: "datatype", Type: query.String, Sortable: true},
	{Name: "blob", Type: query.Hash},
	{Name: "blob_name", Type: query.String},
	{Name: "blob_size", Type: query.Int},
	{Name: "created", Type: query.Time, Sortable: true},
}, []query.SortKey{{Field: "created", Desc: true}})

// dataDocJSON is a data item as the API returns it: its own JSON plus when
// this node first had it.
type dataDocJSON struct {
	ID       string                `json:"id"`
	Hash     protocol.Hash         `json:"hash"`
	Value    any                   `json:"value,omitempty"`
	Blob     *protocol.BlobRef     `json:"blob,omitempty"`
	Datatype *protocol.DatatypeRef `json:"datatype,omitempty"`
	Created  time.Time             `json:"created"`
}

// Data projects data items.
type Data struct{}

// Name implements Projector.
func (Data) Name() string { return "data.v1" }

// Tables implements Projector.
func (Data) Tables() []*Table { return []*Table{DataTable} }

// Types implements Projector.
func (Data) Types() []string { return []string{"DataStored", "MessageSubmitted", "BatchReceived"} }

// Apply implements Projector.
func (Data) Apply(tx Tx, ev event.Event, p catalogue.Payload) error {
	at := ev.Recorded.UTC()
	switch v := p.(type) {
	case catalogue.DataStored:
		// A blob attached later stores the item again: the latest wins.
		return putData(tx, v.Namespace, v.Data, at, true)
	case catalogue.MessageSubmitted:
		for _, d := range v.Data {
			if err := putData(tx, v.Message.Header().Namespace(), d, at, false); err != nil {
				return err
			}
		}
	case catalogue.BatchReceived:
		for _, raw := range v.Data {
			// What does not parse is the aggregator's to reject.
			if d, err := protocol.UnmarshalData(raw); err == nil {
				if err := putData(tx, v.Namespace, d, at, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// putData records a data item; an item already known keeps its first form
// unless replace (its own node attached a blob).
func putData(tx Tx, ns string, d protocol.Data, at time.Time, replace bool) error {
	// Most items arrive again and again (with every message that lists
	// them): only a replacement needs the stored document itself.
	raw, found, err := tx.Get(DataTable, ns, [16]byte(d.ID()))
	if err != nil || found && !replace {
		return err
	}
	if found {
		var prev dataDocJSON
		if err := json.Unmarshal(raw, &prev); err != nil {
			return fmt.Errorf("%s: stored document of %s: %w", DataTable.Name(), d.ID(), err)
		}
		at = prev.Created
	}
	doc := dataDocJSON{ID: d.ID().String(), Hash: d.Hash(), Created: at}
	row := query.Row{NamespaceField: ns, "id": [16]byte(d.ID()), "hash": [32]byte(d.Hash()), "created": at}
	if v := d.Value(); len(v) > 0 {
		doc.Value = rawValue(v)
	}
	if b, ok := d.Blob(); ok {
		doc.Blob = &b
		row["blob"], row["blob_name"], row["blob_size"] = [32]byte(b.Hash()), optional(b.Name()), b.Size()
	}
	if dt, ok := d.Datatype(); ok {
		doc.Datatype = &dt
		row["datatype"] = dt.Name() + "/" + dt.Version()
	}
	return put(tx, DataTable, row, &doc)
}

// appendJSON appends d exactly as json.Marshal(d) would (see
// jsonappend.go): every item of every message is written once. The blob
// and datatype references keep their own MarshalJSON, the form data.hash
// covers.
func (d *dataDocJSON) appendJSON(b []byte) ([]byte, error) {
	return appendOrMarshal(b, d, d.appendFields)
}

func (d *dataDocJSON) appendFields(b []byte) ([]byte, error) {
	var err error
	b = jsonappend.String(appendKey(append(b, '{'), "id", true), d.ID)
	b = appendHashHex(appendKey(b, "hash", false), d.Hash)
	if d.Value != nil {
		v, ok := d.Value.(json.RawMessage)
		if !ok {
			return nil, errUseEncodingJSON
		}
		if b, err = appendRawJSON(appendKey(b, "value", false), v); err != nil {
			return nil, err
		}
	}
	if d.Blob != nil {
		if b, err = appendMarshaler(appendKey(b, "blob", false), d.Blob); err != nil {
			return nil, err
		}
	}
	if d.Datatype != nil {
		if b, err = appendMarshaler(appendKey(b, "datatype", false), d.Datatype); err != nil {
			return nil, err
		}
	}
	if b, err = appendTime(appendKey(b, "created", false), d.Created); err != nil {
		return nil, errUseEncodingJSON
	}
	return append(b, '}'), nil
}
