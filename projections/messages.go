package projections

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// Message states, as the messages table holds them.
const (
	StatePending   = "pending"
	StateConfirmed = "confirmed"
	StateRejected  = "rejected"
)

// MessagesTable holds every message this node knows: sent by it or received
// in a batch, with its state.
var MessagesTable = NewTable("messages", "id", []query.Field{
	{Name: "id", Type: query.UUID, Sortable: true},
	{Name: "cid", Type: query.UUID, Sortable: true},
	{Name: "type", Type: query.Enum, Enum: []string{"broadcast", "private", "definition", "transfer_broadcast", "transfer_private"}},
	{Name: "author", Type: query.String, Sortable: true},
	{Name: "key", Type: query.String},
	{Name: "topics", Type: query.StringList},
	{Name: "tag", Type: query.String, Sortable: true},
	{Name: "group", Type: query.Hash, Sortable: true},
	{Name: "created", Type: query.Time, Sortable: true},
	{Name: "confirmed", Type: query.Time, Sortable: true},
	{Name: "state", Type: query.Enum, Enum: []string{StatePending, StateConfirmed, StateRejected}, Sortable: true},
	{Name: "reason", Type: query.String},
	{Name: "batch", Type: query.UUID, Sortable: true},
	{Name: "hash", Type: query.Hash},
	{Name: "sequence", Type: query.Int, Sortable: true},
}, []query.SortKey{{Field: "created", Desc: true}})

// MessageDoc is a message as the API returns it. The header is kept as the
// JSON it hashes to.
type MessageDoc struct {
	Header json.RawMessage    `json:"header"`
	Hash   protocol.Hash      `json:"hash"`
	Data   []protocol.DataRef `json:"data"`
	State  string             `json:"state"`
	Reason string             `json:"reason,omitempty"`
	Batch  *uuid.UUID         `json:"batch,omitempty"`
	// Confirmed is when this node decided the message (confirmed or
	// rejected): the time its decision was recorded.
	Confirmed *time.Time `json:"confirmed,omitempty"`
	// Sequence orders this node's decisions (the decision's position in its
	// event log).
	Sequence int64 `json:"sequence,omitempty"`
	// Contexts are the message's places in its ordering contexts, once
	// confirmed: the context, the on-chain pin, and the context's count and
	// running digest after it.
	Contexts []catalogue.ConfirmedContext `json:"contexts,omitempty"`
	// Location is where its pin is on chain, once decided.
	Location *catalogue.ChainLocation `json:"location,omitempty"`
	header   protocol.MessageHeader
}

// Messages projects message states.
type Messages struct{}

// Name implements Projector.
func (Messages) Name() string { return "messages.v2" }

// Tables implements Projector.
func (Messages) Tables() []*Table { return []*Table{MessagesTable} }

// Types implements Projector.
func (Messages) Types() []string {
	return []string{"MessageSubmitted", "BatchSealed", "BatchReceived", "MessageConfirmed", "MessageRejected", "DecisionRevoked"}
}

// Apply implements Projector.
func (m Messages) Apply(tx Tx, ev event.Event, p catalogue.Payload) error {
	switch v := p.(type) {
	case catalogue.MessageSubmitted:
		return m.add(tx, v.Message, nil)
	case catalogue.BatchReceived:
		for _, raw := range v.Messages {
			// What does not parse is the aggregator's to reject; there is
			// no message to show.
			if msg, err := protocol.UnmarshalMessage(raw); err == nil && msg.Header().Namespace() == v.Namespace {
				if err := m.add(tx, msg, &v.BatchID); err != nil {
					return err
				}
			}
		}
	case catalogue.BatchSealed:
		id := v.Manifest.ID()
		for _, e := range v.Manifest.Messages() {
			if err := m.update(tx, v.Manifest.Namespace(), e.ID, func(d *MessageDoc) bool { d.Batch = &id; return true }); err != nil {
				return err
			}
		}
	case catalogue.MessageConfirmed:
		at := ev.Recorded.UTC()
		loc := v.Location
		return m.update(tx, v.Namespace, v.MessageID, func(d *MessageDoc) bool {
			d.State, d.Reason, d.Confirmed, d.Sequence = StateConfirmed, "", &at, int64(ev.Position)
			d.Contexts, d.Location, d.Batch = v.Contexts, &loc, &v.BatchID
			return true
		})
	case catalogue.MessageRejected:
		at := ev.Recorded.UTC()
		loc := v.Location
		reason := string(v.Reason)
		if v.Detail != "" {
			reason += ": " + v.Detail
		}
		return m.update(tx, v.Namespace, v.MessageID, func(d *MessageDoc) bool {
			// A rejected later copy of a confirmed message (a batch pinned
			// twice) leaves it confirmed.
			if !catalogue.Overrides(catalogue.Decision(d.State), catalogue.DecisionRejected) {
				return false
			}
			d.State, d.Reason, d.Confirmed, d.Sequence = StateRejected, reason, &at, int64(ev.Position)
			d.Contexts, d.Location, d.Batch = nil, &loc, &v.BatchID
			return true
		})
	case catalogue.DecisionRevoked:
		return m.update(tx, v.Namespace, v.MessageID, func(d *MessageDoc) bool {
			if !catalogue.Revokes(d.Location, v.Location) {
				return false // another copy's decision
			}
			d.State, d.Reason, d.Confirmed, d.Sequence, d.Contexts, d.Location = StatePending, "", nil, 0, nil, nil
			return true
		})
	}
	return nil
}

// add records a message the first time it is seen.
func (Messages) add(tx Tx, msg protocol.Message, batch *uuid.UUID) error {
	ns := msg.Header().Namespace()
	if _, found := cachedDoc[MessageDoc](tx, MessagesTable, ns, [16]byte(msg.ID())); found {
		return nil
	}
	if _, found, err := tx.Get(MessagesTable, ns, [16]byte(msg.ID())); err != nil || found {
		return err
	}
	header, err := appendMarshaler(nil, msg.Header()) // json.Marshal's bytes, without its second pass
	if err != nil {
		header, err = json.Marshal(msg.Header()) // its error, as it reports it
	}
	if err != nil {
		return err
	}
	d := MessageDoc{Header: header, Hash: msg.Hash(), Data: msg.Data(), State: StatePending, Batch: batch, header: msg.Header()}
	return putMessage(tx, &d)
}

// update changes a known message, and stores it when change says it
// changed; one this node never saw is left alone.
func (Messages) update(tx Tx, ns string, id uuid.UUID, change func(*MessageDoc) bool) error {
	stored, found, err := loadMessage(tx, ns, id)
	if err != nil || !found {
		return err
	}
	d := *stored // the stored value may be cached: change a copy
	if !change(&d) {
		return nil
	}
	return putMessage(tx, &d)
}

// loadMessage returns a message's stored document with its header parsed,
// false when there is none. The value may be shared: read it, do not
// change it.
func loadMessage(tx Tx, ns string, id uuid.UUID) (*MessageDoc, bool, error) {
	if d, ok := cachedDoc[MessageDoc](tx, MessagesTable, ns, [16]byte(id)); ok {
		return d, true, nil
	}
	raw, found, err := tx.Get(MessagesTable, ns, [16]byte(id))
	if err != nil || !found {
		return nil, false, err
	}
	var d MessageDoc
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, false, fmt.Errorf("message %s: stored document: %w", id, err)
	}
	if d.header, err = protocol.UnmarshalMessageHeader(d.Header); err != nil {
		return nil, false, fmt.Errorf("message %s: stored header: %w", id, err)
	}
	rememberDoc(tx, MessagesTable, ns, [16]byte(id), &d)
	return &d, true, nil
}

func putMessage(tx Tx, d *MessageDoc) error {
	h := d.header
	if d.Data == nil {
		d.Data = []protocol.DataRef{}
	}
	doc, err := d.appendJSON(make([]byte, 0, 1024))
	if err != nil {
		return err
	}
	row := query.Row{NamespaceField: h.Namespace(), "id": [16]byte(h.ID()), "type": string(h.Type()),
		"author": h.Author().String(), "key": h.Key().String(), "topics": h.Topics(), "tag": optional(h.Tag()),
		"created": h.Created().Time(), "state": d.State, "reason": optional(d.Reason), "hash": [32]byte(d.Hash)}
	if cid := h.CID(); cid != uuid.Nil {
		row["cid"] = [16]byte(cid)
	}
	if g, ok := h.Group(); ok {
		row["group"] = [32]byte(g)
	}
	if d.Confirmed != nil {
		row["confirmed"] = *d.Confirmed
	}
	if d.Batch != nil {
		row["batch"] = [16]byte(*d.Batch)
	}
	if d.Sequence != 0 {
		row["sequence"] = d.Sequence
	}
	if err := tx.Put(MessagesTable, row, doc); err != nil {
		return err
	}
	rememberDoc(tx, MessagesTable, h.Namespace(), [16]byte(h.ID()), d)
	return nil
}
