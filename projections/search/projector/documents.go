package projector

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

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

// builder builds the documents of one batch from the read model, reading
// each data row once (a message's data are usually in the same batch).
type builder struct {
	rm   projections.Store
	data map[docKey]*dataRow // nil: no row
}

// document builds the document of k; false when the read model has no row
// for it (an item the projections did not keep).
func (b *builder) document(ctx context.Context, k docKey) (search.Document, bool, error) {
	if k.kind == search.Data {
		row, err := b.dataRow(ctx, k.ns, k.id)
		if err != nil || row == nil {
			return search.Document{}, false, err
		}
		return dataDocument(k, row), true, nil
	}
	raw, found, err := b.rm.Get(ctx, projections.MessagesTable, k.ns, [16]byte(k.id))
	if err != nil || !found {
		return search.Document{}, false, err
	}
	var m projections.MessageDoc
	if err := json.Unmarshal(raw, &m); err != nil {
		return search.Document{}, false, fmt.Errorf("message %s: stored document: %w", k.id, err)
	}
	h, err := protocol.UnmarshalMessageHeader(m.Header)
	if err != nil {
		return search.Document{}, false, fmt.Errorf("message %s: stored header: %w", k.id, err)
	}
	var text []string
	for _, ref := range m.Data {
		row, err := b.dataRow(ctx, k.ns, ref.ID)
		if err != nil {
			return search.Document{}, false, err
		}
		// Only the value the message names: the node may hold another
		// item under the same id (a peer's batch reusing it).
		if row != nil && row.Hash == ref.Hash {
			if s := search.FlattenJSON(row.Value); s != "" {
				text = append(text, s)
			}
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

func dataDocument(k docKey, row *dataRow) search.Document {
	fields := map[string][]string{}
	if row.Datatype != nil {
		fields["datatype"] = []string{row.Datatype.Name() + "/" + row.Datatype.Version()}
	}
	if row.Blob != nil {
		fields["blob"] = []string{row.Blob.Hash.String()}
	}
	return search.Document{Namespace: k.ns, Kind: search.Data, ID: k.id.String(), Fields: fields,
		Text: search.FlattenJSON(row.Value), Time: row.Created.UTC()}
}

// dataRow reads a data item's row, nil when there is none.
func (b *builder) dataRow(ctx context.Context, ns string, id uuid.UUID) (*dataRow, error) {
	k := docKey{ns: ns, kind: search.Data, id: id}
	if row, ok := b.data[k]; ok {
		return row, nil
	}
	raw, found, err := b.rm.Get(ctx, projections.DataTable, ns, [16]byte(id))
	if err != nil {
		return nil, fmt.Errorf("reading data %s: %w", id, err)
	}
	var row *dataRow
	if found {
		row = &dataRow{}
		if err := json.Unmarshal(raw, row); err != nil {
			return nil, fmt.Errorf("data %s: stored document: %w", id, err)
		}
	}
	if b.data == nil {
		b.data = map[docKey]*dataRow{}
	}
	b.data[k] = row
	return row, nil
}
