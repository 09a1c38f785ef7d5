package projections

import (
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// App-facing event types: what an application sees in GET /events and
// what subscriptions deliver. The list is closed and snake_case, like
// FireFly's.
const (
	EventMessageConfirmed        = "message_confirmed"
	EventMessageRejected         = "message_rejected"
	EventMessageDecisionRevoked  = "message_decision_revoked"
	EventTransactionSubmitted    = "transaction_submitted"
	EventTransactionFailed       = "transaction_failed"
	EventBlockchainEventReceived = "blockchain_event_received"
	EventIdentityConfirmed       = "identity_confirmed"
	EventDatatypeConfirmed       = "datatype_confirmed"
)

// EventTypes lists every app-facing event type.
func EventTypes() []string {
	return []string{EventMessageConfirmed, EventMessageRejected, EventMessageDecisionRevoked, EventTransactionSubmitted,
		EventTransactionFailed, EventBlockchainEventReceived, EventIdentityConfirmed, EventDatatypeConfirmed}
}

// EventsTable is the node's app-facing event list, per namespace. An
// event's sequence is the position of the store event it comes from, so
// offsets are the same after every replay or rebuild and a subscription
// can resume from any of them; they grow but are not dense. Only the
// fields readers look events up by are sortable (each sortable field is an
// index, written for every message): the others filter a scan in
// sequence order, which subscriptions do anyway.
var EventsTable = NewTable("events", "sequence", []query.Field{
	{Name: "sequence", Type: query.Int, Sortable: true},
	{Name: "id", Type: query.UUID, Sortable: true},
	{Name: "type", Type: query.Enum, Enum: EventTypes()},
	{Name: "reference", Type: query.String, Sortable: true},
	{Name: "correlator", Type: query.UUID},
	{Name: "tx", Type: query.String},
	{Name: "topics", Type: query.StringList},
	{Name: "tag", Type: query.String},
	{Name: "author", Type: query.String},
	{Name: "group", Type: query.Hash},
	{Name: "created", Type: query.Time},
}, []query.SortKey{{Field: "sequence", Desc: true}})

// EventDoc is an app-facing event as the API returns it.
type EventDoc struct {
	ID        uuid.UUID `json:"id"`
	Sequence  int64     `json:"sequence"`
	Type      string    `json:"type"`
	Namespace string    `json:"namespace"`
	// Reference is what the event is about: a message id, a transaction
	// id, a chain event's ref, an identity's DID, a datatype's ref.
	Reference string `json:"reference"`
	// Correlator is the message's cid, when it has one.
	Correlator *uuid.UUID `json:"correlator,omitempty"`
	// Tx is the chain transaction hash, when there is one.
	Tx string `json:"tx,omitempty"`
	// Topics, Tag, Author and Group are the message's, for message events,
	// so subscriptions can filter without reading the message.
	Topics  []string       `json:"topics,omitempty"`
	Tag     string         `json:"tag,omitempty"`
	Author  string         `json:"author,omitempty"`
	Group   *protocol.Hash `json:"group,omitempty"`
	Created time.Time      `json:"created"`
}

// Events projects the app-facing event list. A message event reads the
// message from the messages table in the same transaction, before the
// messages projector applies the decision (All runs Events first), and a
// rejection or revocation is listed only when it changes what the message
// shows (catalogue.Overrides and Revokes, the rule the messages projector
// follows): an application never sees a confirmed message rejected because
// its batch was pinned twice. The two are always rebuilt together.
type Events struct{}

// Name implements Projector.
func (Events) Name() string { return "events.v1" }

// Tables implements Projector.
func (Events) Tables() []*Table { return []*Table{EventsTable} }

// Types implements Projector.
func (Events) Types() []string {
	return []string{"MessageConfirmed", "MessageRejected", "DecisionRevoked", "PinSubmitted", "PinFailed",
		"PinObserved", "IdentityRegistered", "DatatypeDefined"}
}

// Apply implements Projector.
func (e Events) Apply(tx Tx, ev event.Event, p catalogue.Payload) error {
	doc := EventDoc{ID: ev.ID, Sequence: int64(ev.Position), Created: ev.Recorded.UTC()}
	switch v := p.(type) {
	case catalogue.MessageConfirmed:
		doc.Namespace, doc.Type, doc.Tx = v.Namespace, EventMessageConfirmed, v.Location.TxHash
		return e.messageEvent(tx, doc, v.MessageID, func(*MessageDoc) bool { return true })
	case catalogue.MessageRejected:
		doc.Namespace, doc.Type, doc.Tx = v.Namespace, EventMessageRejected, v.Location.TxHash
		return e.messageEvent(tx, doc, v.MessageID, func(m *MessageDoc) bool {
			return catalogue.Overrides(catalogue.Decision(m.State), catalogue.DecisionRejected)
		})
	case catalogue.DecisionRevoked:
		doc.Namespace, doc.Type, doc.Tx = v.Namespace, EventMessageDecisionRevoked, v.Location.TxHash
		return e.messageEvent(tx, doc, v.MessageID, func(m *MessageDoc) bool { return catalogue.Revokes(m.Location, v.Location) })
	case catalogue.PinSubmitted:
		doc.Namespace, doc.Type, doc.Reference, doc.Tx = v.Namespace, EventTransactionSubmitted, v.TxID.String(), v.TxHash
	case catalogue.PinFailed:
		doc.Namespace, doc.Type, doc.Reference, doc.Tx = v.Namespace, EventTransactionFailed, v.TxID.String(), v.TxHash
	case catalogue.PinObserved:
		doc.Namespace, doc.Type, doc.Reference, doc.Tx = v.Namespace, EventBlockchainEventReceived, logRef(v.Location), v.Location.TxHash
	case catalogue.IdentityRegistered:
		doc.Namespace, doc.Type, doc.Reference = v.Namespace, EventIdentityConfirmed, v.Org.String()
		if v.Node != nil {
			doc.Reference = v.Node.String()
		}
	case catalogue.DatatypeDefined:
		// The datatypes table's key.
		doc.Namespace, doc.Type, doc.Reference = v.Namespace, EventDatatypeConfirmed, v.Name+"/"+v.Version
	default:
		return nil
	}
	return putEvent(tx, doc)
}

// messageEvent lists a message event when the message is known here and
// listed says the event changes it (m is the message before the event).
func (Events) messageEvent(tx Tx, doc EventDoc, id uuid.UUID, listed func(*MessageDoc) bool) error {
	m, found, err := loadMessage(tx, doc.Namespace, id)
	if err != nil || !found {
		return err
	}
	if !listed(m) {
		return nil
	}
	h := m.header
	doc.Reference, doc.Topics, doc.Tag, doc.Author = id.String(), h.Topics(), h.Tag(), h.Author().String()
	if cid := h.CID(); cid != uuid.Nil {
		doc.Correlator = &cid
	}
	if g, ok := h.Group(); ok {
		doc.Group = &g
	}
	return putEvent(tx, doc)
}

func putEvent(tx Tx, d EventDoc) error {
	row := query.Row{NamespaceField: d.Namespace, "sequence": d.Sequence, "id": [16]byte(d.ID), "type": d.Type,
		"reference": d.Reference, "tx": optional(d.Tx), "topics": d.Topics, "tag": optional(d.Tag),
		"author": optional(d.Author), "created": d.Created}
	if d.Correlator != nil {
		row["correlator"] = [16]byte(*d.Correlator)
	}
	if d.Group != nil {
		row["group"] = [32]byte(*d.Group)
	}
	return put(tx, EventsTable, row, &d)
}
