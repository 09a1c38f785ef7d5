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

// messageRow is the part of a messages table document (a
// projections.MessageDoc) that is indexed: decoding only these fields
// skips parsing the hashes of its contexts, its location and times, and
// the header's other fields. The header is not validated again as
// protocol.UnmarshalMessageHeader would (its hash, key, ids): the
// projections stored it from a validated header, in its one canonical
// form, so its text is what MessageHeader's accessors give (Author is the
// DID as written, Type and Tag as written). The fields indexed are still
// parsed as the strict parse does (fields), so the values are the same;
// TestLightParseMatchesStrict holds the two together on stored rows.
type messageRow struct {
	Header struct {
		Type    protocol.MessageType `json:"type"`
		Author  string               `json:"author"`
		Created string               `json:"created"`
		Topics  []string             `json:"topics"`
		Tag     string               `json:"tag"`
	} `json:"header"`
	Data  []dataRef `json:"data"`
	State string    `json:"state"`
}

// dataRef is a protocol.DataRef as stored (canonical), read without its
// strict UnmarshalJSON.
type dataRef struct {
	ID   uuid.UUID     `json:"id"`
	Hash protocol.Hash `json:"hash"`
}

// parseMessageRow decodes a stored message row.
func parseMessageRow(id uuid.UUID, raw json.RawMessage) (messageRow, error) {
	var m messageRow
	if err := json.Unmarshal(raw, &m); err != nil {
		return m, fmt.Errorf("message %s: stored document: %w", id, err)
	}
	return m, nil
}

// fields are the indexed fields and time of m's header, as
// protocol.UnmarshalMessageHeader's MessageHeader gives them: the author
// through ParseOrgDID (whose String is its input), created through
// ParseTimestamp. What the strict parse would refuse among them is refused.
func (m *messageRow) fields(id uuid.UUID) (map[string][]string, time.Time, error) {
	h := &m.Header
	author, err := protocol.ParseOrgDID(h.Author)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("message %s: stored header: author: %w", id, err)
	}
	created, err := protocol.ParseTimestamp(h.Created)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("message %s: stored header: created: %w", id, err)
	}
	if !h.Type.Valid() {
		return nil, time.Time{}, fmt.Errorf("message %s: stored header: unknown type %q", id, h.Type)
	}
	if len(h.Topics) == 0 {
		return nil, time.Time{}, fmt.Errorf("message %s: stored header: no topics", id)
	}
	fields := map[string][]string{
		"author": {author.String()},
		"type":   {string(h.Type)},
		"state":  {m.State},
		"topics": h.Topics,
	}
	if h.Tag != "" {
		fields["tag"] = []string{h.Tag}
	}
	return fields, created.Time().UTC(), nil
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

	// rows are the documents prefetch read, nil for a row the read model
	// does not have; messages the message rows it parsed.
	rows     map[docKey]json.RawMessage
	messages map[docKey]*messageRow
}

// document builds the document of k; false when the read model has no row
// for it (an item the projections did not keep).
func (b *builder) document(ctx context.Context, k docKey) (search.Document, bool, error) {
	if k.kind == search.Data {
		return b.dataDocument(ctx, k)
	}
	m, err := b.message(ctx, k)
	if err != nil || m == nil {
		return search.Document{}, false, err
	}
	fields, created, err := m.fields(k.id)
	if err != nil {
		return search.Document{}, false, err
	}
	text, err := b.messageText(ctx, k.ns, m)
	if err != nil {
		return search.Document{}, false, err
	}
	return search.Document{Namespace: k.ns, Kind: search.Messages, ID: k.id.String(), Fields: fields,
		Text: text, Time: created}, true, nil
}

// message returns k's parsed row: prefetched, else read now; nil when
// the read model has none.
func (b *builder) message(ctx context.Context, k docKey) (*messageRow, error) {
	if m := b.messages[k]; m != nil {
		return m, nil
	}
	raw, found, err := b.get(ctx, projections.MessagesTable, k)
	if err != nil || !found {
		return nil, err
	}
	m, err := parseMessageRow(k.id, raw)
	if err != nil {
		return nil, err
	}
	return &m, nil
}

// messageText is the Text of message m of namespace ns: the text of each of
// its data items, one per line.
func (b *builder) messageText(ctx context.Context, ns string, m *messageRow) (string, error) {
	var text []string
	for _, ref := range m.Data {
		t, err := b.text(ctx, docKey{ns: ns, kind: search.Data, id: ref.ID})
		if err != nil {
			return "", err
		}
		// Only the value the message names: the node may hold another
		// item under the same id (a peer's batch reusing it).
		if t.found && t.hash == ref.Hash && t.text != "" {
			text = append(text, t.text)
		}
	}
	return strings.Join(text, "\n"), nil
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
	raw, found, err := b.get(ctx, projections.DataTable, k)
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
