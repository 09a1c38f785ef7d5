package projections

import (
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// Batch states.
const (
	BatchSealed   = "sealed"   // this node sealed it, not pinned yet
	BatchPinned   = "pinned"   // its pin transaction was sent
	BatchFailed   = "failed"   // its pin transaction reverted
	BatchReceived = "received" // a peer's batch that reached this node
)

// BatchesTable holds the batches this node sealed or received.
var BatchesTable = NewTable("batches", "id", []query.Field{
	{Name: "id", Type: query.UUID, Sortable: true},
	{Name: "hash", Type: query.Hash, Sortable: true},
	{Name: "author", Type: query.String, Sortable: true},
	{Name: "group", Type: query.Hash},
	{Name: "state", Type: query.Enum, Enum: []string{BatchSealed, BatchPinned, BatchFailed, BatchReceived}, Sortable: true},
	{Name: "messages", Type: query.Int},
	{Name: "payload_ref", Type: query.String},
	{Name: "tx_hash", Type: query.String, Sortable: true},
	{Name: "created", Type: query.Time, Sortable: true},
}, []query.SortKey{{Field: "created", Desc: true}})

// PinsTable holds every pin seen on chain, one row per (log, context), with
// its parking state.
var PinsTable = NewTable("pins", "ref", []query.Field{
	{Name: "ref", Type: query.String, Sortable: true},
	{Name: "batch", Type: query.UUID, Sortable: true},
	{Name: "block", Type: query.Int},
	{Name: "tx_hash", Type: query.String},
	{Name: "index", Type: query.Int},
	{Name: "value", Type: query.Hash, Sortable: true},
	{Name: "signer", Type: query.String},
	{Name: "state", Type: query.Enum, Enum: []string{"observed", "parked", "confirmed", "rejected", "removed"}, Sortable: true},
	{Name: "reason", Type: query.String},
	{Name: "created", Type: query.Time},
}, []query.SortKey{{Field: "ref"}})

// TransactionsTable holds this node's pin transactions.
var TransactionsTable = NewTable("transactions", "id", []query.Field{
	{Name: "id", Type: query.UUID, Sortable: true},
	{Name: "batch", Type: query.UUID, Sortable: true},
	{Name: "tx_hash", Type: query.String, Sortable: true},
	{Name: "chain", Type: query.String},
	{Name: "signer", Type: query.String},
	{Name: "nonce", Type: query.Int},
	{Name: "status", Type: query.Enum, Enum: []string{"submitted", "failed", "observed"}, Sortable: true},
	{Name: "created", Type: query.Time, Sortable: true},
}, []query.SortKey{{Field: "created", Desc: true}})

// ChainEventsTable holds every BatchPin log the chain listener observed.
var ChainEventsTable = NewTable("chainevents", "ref", []query.Field{
	{Name: "ref", Type: query.String, Sortable: true},
	{Name: "chain", Type: query.String},
	{Name: "contract", Type: query.String},
	{Name: "block", Type: query.Int},
	{Name: "tx_hash", Type: query.String, Sortable: true},
	{Name: "signer", Type: query.String},
	{Name: "batch", Type: query.UUID, Sortable: true},
	{Name: "removed", Type: query.Bool},
	{Name: "created", Type: query.Time},
}, []query.SortKey{{Field: "ref"}})

type batchDoc struct {
	ID         uuid.UUID      `json:"id"`
	Hash       *protocol.Hash `json:"hash,omitempty"`
	Author     string         `json:"author,omitempty"`
	Group      *protocol.Hash `json:"group,omitempty"`
	State      string         `json:"state"`
	Messages   int            `json:"messages"`
	PayloadRef string         `json:"payloadRef,omitempty"`
	TxHash     string         `json:"txHash,omitempty"`
	Reason     string         `json:"reason,omitempty"`
	Created    time.Time      `json:"created"`
}

type pinDoc struct {
	Ref       string                  `json:"ref"`
	Batch     uuid.UUID               `json:"batch"`
	Location  catalogue.ChainLocation `json:"location"`
	Index     int                     `json:"index"`
	Value     protocol.Hash           `json:"value"`
	Signer    protocol.SigningKey     `json:"signer"`
	State     string                  `json:"state"`
	Reason    string                  `json:"reason,omitempty"`
	BlockedBy string                  `json:"blockedBy,omitempty"`
	Detail    string                  `json:"detail,omitempty"`
	Created   time.Time               `json:"created"`
}

type transactionDoc struct {
	ID      uuid.UUID            `json:"id"`
	Batch   uuid.UUID            `json:"batch"`
	TxHash  string               `json:"txHash,omitempty"`
	Chain   string               `json:"chain"`
	Signer  *protocol.SigningKey `json:"signer,omitempty"`
	Nonce   uint64               `json:"nonce"`
	Status  string               `json:"status"`
	Reason  string               `json:"reason,omitempty"`
	Block   uint64               `json:"block,omitempty"`
	Created time.Time            `json:"created"`
}

type chainEventDoc struct {
	Ref        string                  `json:"ref"`
	Name       string                  `json:"name"`
	Location   catalogue.ChainLocation `json:"location"`
	Signer     protocol.SigningKey     `json:"signer"`
	TxID       uuid.UUID               `json:"txId"`
	Batch      uuid.UUID               `json:"batch"`
	BatchHash  protocol.Hash           `json:"batchHash"`
	PayloadRef string                  `json:"payloadRef,omitempty"`
	Contexts   []protocol.Hash         `json:"contexts"`
	Timestamp  uint64                  `json:"timestamp"`
	Removed    bool                    `json:"removed"`
	Created    time.Time               `json:"created"`
}

// logRef orders logs as the chain does, as text: block, tx, log, zero-padded.
func logRef(l catalogue.ChainLocation) string {
	return fmt.Sprintf("%020d.%010d.%010d", l.BlockNumber, l.TxIndex, l.LogIndex)
}

func pinRef(l catalogue.ChainLocation, index uint32) string {
	return fmt.Sprintf("%s.%05d", logRef(l), index)
}

// Chain projects batches, pins, pin transactions and chain events.
type Chain struct{}

// Name implements Projector.
func (Chain) Name() string { return "chain.v1" }

// Tables implements Projector.
func (Chain) Tables() []*Table {
	return []*Table{BatchesTable, PinsTable, TransactionsTable, ChainEventsTable}
}

// Types implements Projector.
func (Chain) Types() []string {
	return []string{"BatchSealed", "BatchReceived", "BatchDispatched", "PinSubmitted", "PinFailed", "PinObserved",
		"PinRemoved", "PinParked", "PinUnparked"}
}

// Apply implements Projector.
func (c Chain) Apply(tx Tx, ev event.Event, p catalogue.Payload) error {
	at := ev.Recorded.UTC()
	switch v := p.(type) {
	case catalogue.BatchSealed:
		m := v.Manifest
		h := m.Hash()
		doc := batchDoc{ID: m.ID(), Hash: &h, Author: m.Author().String(), State: BatchSealed, Messages: len(m.Messages()), Created: at}
		if g, ok := m.Group(); ok {
			doc.Group = &g
		}
		return putBatch(tx, m.Namespace(), doc)
	case catalogue.BatchReceived:
		if _, found, err := loadDoc[batchDoc](tx, BatchesTable, v.Namespace, [16]byte(v.BatchID)); err != nil || found {
			return err // this node's own batch, or a copy of one already here
		}
		doc := batchDoc{ID: v.BatchID, State: BatchReceived, Messages: len(v.Messages), PayloadRef: v.PayloadRef, Created: at}
		if m, err := protocol.UnmarshalManifest(v.Manifest); err == nil {
			h := m.Hash()
			doc.Hash, doc.Author = &h, m.Author().String()
			if g, ok := m.Group(); ok {
				doc.Group = &g
			}
		}
		return putBatch(tx, v.Namespace, doc)
	case catalogue.BatchDispatched:
		return c.updateBatch(tx, v.Namespace, v.BatchID, func(d *batchDoc) { d.PayloadRef = v.PayloadRef })
	case catalogue.PinSubmitted:
		if err := c.updateBatch(tx, v.Namespace, v.BatchID, func(d *batchDoc) { d.State, d.TxHash = BatchPinned, v.TxHash }); err != nil {
			return err
		}
		doc, found, err := loadDoc[transactionDoc](tx, TransactionsTable, v.Namespace, [16]byte(v.TxID))
		if err != nil {
			return err
		}
		if !found {
			doc = transactionDoc{ID: v.TxID, Batch: v.BatchID, Created: at}
		}
		signer := v.Signer
		doc.TxHash, doc.Chain, doc.Signer, doc.Nonce, doc.Status = v.TxHash, v.Chain, &signer, v.Nonce, "submitted"
		return putTransaction(tx, v.Namespace, doc)
	case catalogue.PinFailed:
		if err := c.updateBatch(tx, v.Namespace, v.BatchID, func(d *batchDoc) { d.State, d.Reason = BatchFailed, v.Reason }); err != nil {
			return err
		}
		doc, found, err := loadDoc[transactionDoc](tx, TransactionsTable, v.Namespace, [16]byte(v.TxID))
		if err != nil {
			return err
		}
		if !found {
			doc = transactionDoc{ID: v.TxID, Batch: v.BatchID, Chain: v.Chain, Created: at}
		}
		if v.TxHash != "" {
			doc.TxHash = v.TxHash
		}
		doc.Status, doc.Reason = "failed", v.Reason
		return putTransaction(tx, v.Namespace, doc)
	case catalogue.PinObserved:
		return c.observed(tx, v, at)
	case catalogue.PinRemoved:
		return c.removed(tx, v)
	case catalogue.PinParked:
		return c.updatePin(tx, v.Namespace, v.Pin, func(d *pinDoc) {
			d.State, d.Reason, d.Detail, d.BlockedBy = "parked", string(v.Reason), v.Detail, ""
			if v.BlockedBy != nil {
				d.BlockedBy = pinRef(v.BlockedBy.Location, v.BlockedBy.Index)
			}
		})
	case catalogue.PinUnparked:
		state := map[catalogue.PinResolution]string{catalogue.PinConfirmed: "confirmed", catalogue.PinRejected: "rejected",
			catalogue.PinRemovedByReorg: "removed"}[v.Resolution]
		return c.updatePin(tx, v.Namespace, v.Pin, func(d *pinDoc) { d.State, d.Reason, d.Detail, d.BlockedBy = state, "", "", "" })
	}
	return nil
}

func (Chain) observed(tx Tx, v catalogue.PinObserved, at time.Time) error {
	l := v.Location
	ref := logRef(l)
	ce := chainEventDoc{Ref: ref, Name: "BatchPin", Location: l, Signer: v.Signer, TxID: v.TxID, Batch: v.BatchID,
		BatchHash: v.BatchHash, PayloadRef: v.PayloadRef, Contexts: v.Contexts, Timestamp: v.Timestamp, Created: at}
	if ce.Contexts == nil {
		ce.Contexts = []protocol.Hash{}
	}
	if err := putChainEvent(tx, v.Namespace, ce); err != nil {
		return err
	}
	for i, value := range v.Contexts {
		d := pinDoc{Ref: pinRef(l, uint32(i)), Batch: v.BatchID, Location: l, Index: i, Value: value, Signer: v.Signer,
			State: "observed", Created: at}
		if err := putPin(tx, v.Namespace, d); err != nil {
			return err
		}
	}
	t, found, err := loadDoc[transactionDoc](tx, TransactionsTable, v.Namespace, [16]byte(v.TxID))
	if err != nil || !found {
		return err
	}
	t.Status, t.Block = "observed", l.BlockNumber
	return putTransaction(tx, v.Namespace, t)
}

func (c Chain) removed(tx Tx, v catalogue.PinRemoved) error {
	ce, found, err := loadDoc[chainEventDoc](tx, ChainEventsTable, v.Namespace, logRef(v.Location))
	if err != nil || !found {
		return err
	}
	ce.Removed = true
	if err := putChainEvent(tx, v.Namespace, ce); err != nil {
		return err
	}
	for i := range ce.Contexts {
		ref := catalogue.PinRef{Location: v.Location, Index: uint32(i)}
		if err := c.updatePin(tx, v.Namespace, ref, func(d *pinDoc) { d.State, d.Reason = "removed", v.Reason }); err != nil {
			return err
		}
	}
	return nil
}

func (Chain) updateBatch(tx Tx, ns string, id uuid.UUID, change func(*batchDoc)) error {
	d, found, err := loadDoc[batchDoc](tx, BatchesTable, ns, [16]byte(id))
	if err != nil || !found {
		return err
	}
	change(&d)
	return putBatch(tx, ns, d)
}

func (Chain) updatePin(tx Tx, ns string, ref catalogue.PinRef, change func(*pinDoc)) error {
	d, found, err := loadDoc[pinDoc](tx, PinsTable, ns, pinRef(ref.Location, ref.Index))
	if err != nil || !found {
		return err
	}
	change(&d)
	return putPin(tx, ns, d)
}

func putBatch(tx Tx, ns string, d batchDoc) error {
	row := query.Row{NamespaceField: ns, "id": [16]byte(d.ID), "author": optional(d.Author), "state": d.State,
		"messages": int64(d.Messages), "payload_ref": optional(d.PayloadRef), "tx_hash": optional(d.TxHash), "created": d.Created}
	if d.Hash != nil {
		row["hash"] = [32]byte(*d.Hash)
	}
	if d.Group != nil {
		row["group"] = [32]byte(*d.Group)
	}
	return putDoc(tx, BatchesTable, row, &d)
}

func putPin(tx Tx, ns string, d pinDoc) error {
	return putDoc(tx, PinsTable, query.Row{NamespaceField: ns, "ref": d.Ref, "batch": [16]byte(d.Batch),
		"block": int64(d.Location.BlockNumber), "tx_hash": d.Location.TxHash, "index": int64(d.Index),
		"value": [32]byte(d.Value), "signer": d.Signer.String(), "state": d.State, "reason": optional(d.Reason),
		"created": d.Created}, &d)
}

func putTransaction(tx Tx, ns string, d transactionDoc) error {
	row := query.Row{NamespaceField: ns, "id": [16]byte(d.ID), "batch": [16]byte(d.Batch), "tx_hash": optional(d.TxHash),
		"chain": optional(d.Chain), "nonce": int64(d.Nonce), "status": d.Status, "created": d.Created}
	if d.Signer != nil {
		row["signer"] = d.Signer.String()
	}
	return putDoc(tx, TransactionsTable, row, &d)
}

func putChainEvent(tx Tx, ns string, d chainEventDoc) error {
	return putDoc(tx, ChainEventsTable, query.Row{NamespaceField: ns, "ref": d.Ref, "chain": d.Location.Chain,
		"contract": d.Location.Contract, "block": int64(d.Location.BlockNumber), "tx_hash": d.Location.TxHash,
		"signer": d.Signer.String(), "batch": [16]byte(d.Batch), "removed": d.Removed, "created": d.Created}, &d)
}
