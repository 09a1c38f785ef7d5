package catalogue

import (
	"time"

	"github.com/google/uuid"
)

// OperationRecorded is the state of one outbound action (a data-exchange
// send, a shared-storage upload, a pin) after a change: created, an attempt
// failed, it succeeded or it gave up. Each change appends the whole state to
// the operation's stream, so the latest event is the operation.
type OperationRecorded struct {
	Namespace string    `json:"namespace"`
	ID        uuid.UUID `json:"id"`
	// Type is one of the messaging operation types
	// (dataexchange_send_batch, sharedstorage_upload_batch, ...).
	Type    string    `json:"type"`
	BatchID uuid.UUID `json:"batchId"`
	// Target is the peer node, storage or chain the action goes to.
	Target   string    `json:"target"`
	Status   string    `json:"status"`
	Attempts int       `json:"attempts"`
	Error    string    `json:"error,omitempty"`
	Output   string    `json:"output,omitempty"`
	Created  time.Time `json:"created"`
	Updated  time.Time `json:"updated"`
}

// EventType implements Payload.
func (OperationRecorded) EventType() string { return "OperationRecorded" }

// Validate implements Payload.
func (o OperationRecorded) Validate() error {
	if o.Type == "" || o.Target == "" {
		return invalid("type/target", "an operation has a type and a target")
	}
	switch o.Status {
	case "pending", "retrying", "succeeded", "failed":
	default:
		return invalid("status", "%q is not pending, retrying, succeeded or failed", o.Status)
	}
	if o.Attempts < 0 {
		return invalid("attempts", "negative")
	}
	return firstError(requireNamespace(o.Namespace), requireID("id", o.ID), requireID("batchId", o.BatchID))
}

// PeerRefused records a data-exchange request this node refused because it
// could not tell who sent it: an unknown sender, a bad signature, a stale
// timestamp. Claimed is the sender the request named, as sent.
type PeerRefused struct {
	Claimed string `json:"claimed"`
	Remote  string `json:"remote"`
	Reason  string `json:"reason"`
}

// EventType implements Payload.
func (PeerRefused) EventType() string { return "PeerRefused" }

// Validate implements Payload.
func (p PeerRefused) Validate() error {
	if p.Reason == "" {
		return invalid("reason", "a refusal says why")
	}
	return nil
}
