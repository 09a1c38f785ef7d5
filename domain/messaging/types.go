package messaging

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// SendRequest is an application's message: the header fields it chooses and
// its data, new values or existing data ids. Group is set for private
// messages only.
type SendRequest struct {
	Header RequestHeader `json:"header"`
	Data   []DataInput   `json:"data"`
	Group  *GroupInput   `json:"group,omitempty"`
}

// RequestHeader holds the header fields an application sets; the node fills
// in the rest (id, author, key, created, namespace, datahash).
type RequestHeader struct {
	// ID is optional; a new v4 UUID when absent.
	ID     uuid.UUID `json:"id,omitzero"`
	CID    uuid.UUID `json:"cid,omitzero"`
	Topics []string  `json:"topics,omitempty"`
	Tag    string    `json:"tag,omitempty"`
}

// DataInput is one data item of a request: an existing data id, or a new
// value with an optional datatype.
type DataInput struct {
	ID       uuid.UUID       `json:"id,omitzero"`
	Value    json.RawMessage `json:"value,omitempty"`
	Datatype *DatatypeInput  `json:"datatype,omitempty"`
}

// DatatypeInput names a datatype a value must satisfy.
type DatatypeInput struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// GroupInput names a private group: the sender is always added as a member.
type GroupInput struct {
	Name    string        `json:"name,omitempty"`
	Members []MemberInput `json:"members"`
}

// MemberInput is one group member: an org DID, optionally one of its nodes
// (every registered node of the org when absent).
type MemberInput struct {
	Identity string `json:"identity"`
	Node     string `json:"node,omitempty"`
}

// DatatypeRequest defines a datatype, broadcast as a definition message.
type DatatypeRequest struct {
	Name    string          `json:"name"`
	Version string          `json:"version"`
	Schema  json.RawMessage `json:"schema"`
}

// MessageState is where a message is in its life.
type MessageState string

// Message states.
const (
	StatePending   MessageState = "pending"
	StateConfirmed MessageState = "confirmed"
	StateRejected  MessageState = "rejected"
)

// MessageView is a message as the API shows it.
type MessageView struct {
	Header protocol.MessageHeader `json:"header"`
	Hash   protocol.Hash          `json:"hash"`
	Data   []protocol.DataRef     `json:"data"`
	State  MessageState           `json:"state"`
	// Reason says why a message was rejected.
	Reason string `json:"reason,omitempty"`
	// Batch is the batch that carried the message, once sealed.
	Batch *uuid.UUID `json:"batch,omitempty"`
	// Confirmed is when this node decided the message.
	Confirmed *time.Time `json:"confirmed,omitempty"`

	decidedAt *catalogue.ChainLocation // the pin of the decision shown
}

// OperationType says what an outbound action does.
type OperationType string

// Operation types.
const (
	OpSendBatch OperationType = "dataexchange_send_batch"
	OpUpload    OperationType = "sharedstorage_upload_batch"
	OpPinBatch  OperationType = "blockchain_pin_batch"
)

// OperationStatus is where an operation is.
type OperationStatus string

// Operation statuses. Retrying means the last attempt failed and another
// is scheduled; failed means the node gave up (a permanent error) until
// someone asks for a retry.
const (
	OpPending   OperationStatus = "pending"
	OpRetrying  OperationStatus = "retrying"
	OpSucceeded OperationStatus = "succeeded"
	OpFailed    OperationStatus = "failed"
)

// Operation is one outbound action and how it went.
type Operation struct {
	ID        uuid.UUID     `json:"id"`
	Namespace string        `json:"namespace"`
	Type      OperationType `json:"type"`
	BatchID   uuid.UUID     `json:"batch"`
	// Target is the peer node, the storage or the chain the action goes to.
	Target   string          `json:"target"`
	Status   OperationStatus `json:"status"`
	Attempts int             `json:"attempts"`
	Error    string          `json:"error,omitempty"`
	// Output is what succeeded: a transaction hash, a payload reference.
	Output  string    `json:"output,omitempty"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
}

// NamespaceDigest is one namespace digest and how many confirmed messages it
// covers.
type NamespaceDigest struct {
	Digest protocol.Hash `json:"digest"`
	Count  uint64        `json:"count"`
}

// Digests are a namespace's digests (PROTOCOL.md, Digests), as GET
// /namespaces/{ns}/digests shows them.
type Digests struct {
	Broadcast NamespaceDigest            `json:"broadcast"`
	Groups    map[string]NamespaceDigest `json:"groups"`
	// Contexts, when asked for, are the running digests of every context,
	// sorted by context: what two members compare to find where they part.
	Contexts []ContextDigest `json:"contexts,omitempty"`
}

// ContextDigest is one context's running digest.
type ContextDigest struct {
	Context protocol.Hash  `json:"context"`
	Group   *protocol.Hash `json:"group,omitempty"`
	Topic   string         `json:"topic,omitempty"`
	Count   uint64         `json:"count"`
	Digest  protocol.Hash  `json:"digest"`
}

// Status is the node's health as GET /status shows it.
type Status struct {
	Node           string            `json:"node"`
	Org            string            `json:"org"`
	Ready          bool              `json:"ready"`
	EventStoreHead uint64            `json:"eventStoreHead"`
	Namespaces     []NamespaceStatus `json:"namespaces"`
}

// NamespaceStatus is one namespace's part of Status.
type NamespaceStatus struct {
	Name string `json:"name"`
	// Registered is true once this node's org and node are confirmed.
	Registered      bool   `json:"registered"`
	ChainCheckpoint uint64 `json:"chainCheckpoint"`
	Aggregated      uint64 `json:"aggregatedPosition"`
	ParkedPins      int    `json:"parkedPins"`
	// Members are the orgs confirmed in the namespace.
	Members []string `json:"members"`
}
