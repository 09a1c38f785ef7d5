package projections

import (
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// OperationsTable holds this node's outbound operations in their latest
// state.
var OperationsTable = NewTable("operations", "id", []query.Field{
	{Name: "id", Type: query.UUID, Sortable: true},
	{Name: "type", Type: query.Enum, Enum: []string{"dataexchange_send_batch", "sharedstorage_upload_batch", "blockchain_pin_batch"}, Sortable: true},
	{Name: "batch", Type: query.UUID, Sortable: true},
	{Name: "target", Type: query.String, Sortable: true},
	{Name: "status", Type: query.Enum, Enum: []string{"pending", "retrying", "succeeded", "failed"}, Sortable: true},
	{Name: "attempts", Type: query.Int, Sortable: true},
	{Name: "error", Type: query.String, Sortable: true},
	{Name: "created", Type: query.Time, Sortable: true},
	{Name: "updated", Type: query.Time, Sortable: true},
}, []query.SortKey{{Field: "created", Desc: true}})

// Operations projects operation states.
type Operations struct{}

// Name implements Projector.
func (Operations) Name() string { return "operations.v1" }

// Tables implements Projector.
func (Operations) Tables() []*Table { return []*Table{OperationsTable} }

// Types implements Projector.
func (Operations) Types() []string { return []string{"OperationRecorded"} }

// Apply implements Projector. The operation's own times are the node's
// clock when it acted; they are in the event, so a rebuild gives them back.
func (Operations) Apply(tx Tx, _ event.Event, p catalogue.Payload) error {
	v, ok := p.(catalogue.OperationRecorded)
	if !ok {
		return nil
	}
	return put(tx, OperationsTable, query.Row{NamespaceField: v.Namespace, "id": [16]byte(v.ID), "type": v.Type,
		"batch": [16]byte(v.BatchID), "target": v.Target, "status": v.Status, "attempts": int64(v.Attempts),
		"error": optional(v.Error), "created": v.Created.UTC(), "updated": v.Updated.UTC()},
		messaging.Operation{ID: v.ID, Namespace: v.Namespace, Type: messaging.OperationType(v.Type), BatchID: v.BatchID,
			Target: v.Target, Status: messaging.OperationStatus(v.Status), Attempts: v.Attempts, Error: v.Error,
			Output: v.Output, Created: v.Created.UTC(), Updated: v.Updated.UTC()})
}

// All is every projector of this version of the node, in the order a
// runner applies them to each event (Events reads a message before
// Messages applies a decision to it).
func All() []Projector {
	return []Projector{Events{}, Messages{}, Data{}, Registry{}, Chain{}, Operations{}}
}

// Tables is every table of All.
func Tables() []*Table {
	var out []*Table
	for _, p := range All() {
		out = append(out, p.Tables()...)
	}
	return out
}
