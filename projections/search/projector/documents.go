package projector

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// dataRow is the part of a data table document that is indexed.
type dataRow struct {
	Hash  protocol.Hash   `json:"hash"`
	Value json.RawMessage `json:"value"`
	Blob  *struct {
		Hash protocol.Hash `json:"hash"`
	} `json:"blob"`
	Datatype *protocol.DatatypeRef `json:"datatype"`
	Created  time.Time             `json:"created"`
}

// messageRow is the part of a messages table document (a
// projections.MessageDoc) that is indexed: decoding only these fields
// skips parsing the hashes of its contexts, its location and times.
type messageRow struct {
	Header json.RawMessage    `json:"header"`
	Data   []protocol.DataRef `json:"data"`
	State  string             `json:"state"`
}

// builder builds the documents of one batch from the read model, reading
// each data row once and flattening each value once: a data item's text
// goes into its own document and into its message's, usually in the same
// batch. The text of items this batch does not touch comes from the
// Runner's texts, which saves reading and flattening the row again when
// a message is decided a batch or two after its data arrived.
type builder struct {
	rm    projections.Store
	data  map[docKey]dataText
	texts *textCache
}

// document builds the document of k; false when the read model has no row
// for it (an item the projections did not keep).
func (b *builder) document(ctx context.Context, k docKey) (search.Document, bool, error) {
	if k.kind == search.Data {
		return b.dataDocument(ctx, k)
	}
	raw, found, err := b.rm.Get(ctx, projections.MessagesTable, k.ns, [16]byte(k.id))
	if err != nil || !found {
		return search.Document{}, false, err
	}
	var m messageRow
	if err := json.Unmarshal(raw, &m); err != nil {
		return search.Document{}, false, fmt.Errorf("message %s: stored document: %w", k.id, err)
	}
	h, err := protocol.UnmarshalMessageHeader(m.Header)
	if err != nil {
		return search.Document{}, false, fmt.Errorf("message %s: stored header: %w", k.id, err)
	}
	var text []string
	for _, ref := range m.Data {
		t, err := b.text(ctx, docKey{ns: k.ns, kind: search.Data, id: ref.ID})
		if err != nil {
			return search.Document{}, false, err
		}
		// Only the value the message names: the node may hold another
		// item under the same id (a peer's batch reusing it).
		if t.found && t.hash == ref.Hash && t.text != "" {
			text = append(text, t.text)
		}
	}
	fields := map[string][]string{
		"author": {h.Author().String()},
		"type":   {string(h.Type())},
		"state":  {m.State},
		"topics": h.Topics(),
	}
	if tag := h.Tag(); tag != "" {
		fields["tag"] = []string{tag}
	}
	return search.Document{Namespace: k.ns, Kind: search.Messages, ID: k.id.String(), Fields: fields,
		Text: strings.Join(text, "\n"), Time: h.Created().Time().UTC()}, true, nil
}

// dataDocument reads k's row, which this batch touched, so never from the
// Runner's texts.
func (b *builder) dataDocument(ctx context.Context, k docKey) (search.Document, bool, error) {
	row, err := b.readData(ctx, k)
	if err != nil || row == nil {
		return search.Document{}, false, err
	}
	fields := map[string][]string{}
	if row.Datatype != nil {
		fields["datatype"] = []string{row.Datatype.Name() + "/" + row.Datatype.Version()}
	}
	if row.Blob != nil {
		fields["blob"] = []string{row.Blob.Hash.String()}
	}
	return search.Document{Namespace: k.ns, Kind: search.Data, ID: k.id.String(), Fields: fields,
		Text: b.data[k].text, Time: row.Created.UTC()}, true, nil
}

// text returns what a message document takes from data item k: read in
// this batch, else remembered from an earlier one, else read now.
func (b *builder) text(ctx context.Context, k docKey) (dataText, error) {
	if t, ok := b.data[k]; ok {
		return t, nil
	}
	if t, ok := b.texts.get(k); ok {
		return t, nil
	}
	_, err := b.readData(ctx, k)
	return b.data[k], err
}

// readData reads k's row (nil when there is none) and records its text in
// b.data and the Runner's texts.
func (b *builder) readData(ctx context.Context, k docKey) (*dataRow, error) {
	raw, found, err := b.rm.Get(ctx, projections.DataTable, k.ns, [16]byte(k.id))
	if err != nil {
		return nil, fmt.Errorf("reading data %s: %w", k.id, err)
	}
	var row *dataRow
	t := dataText{found: found}
	if found {
		row = &dataRow{}
		if err := json.Unmarshal(raw, row); err != nil {
			return nil, fmt.Errorf("data %s: stored document: %w", k.id, err)
		}
		t.hash, t.text = row.Hash, search.FlattenJSON(row.Value)
	}
	if b.data == nil {
		b.data = map[docKey]dataText{}
	}
	b.data[k] = t
	b.texts.put(k, t)
	return row, nil
}

// dataText is what a message document takes from one of its data items.
type dataText struct {
	found bool // false: the node has no such item
	hash  protocol.Hash
	text  string // search.FlattenJSON of the value
}
