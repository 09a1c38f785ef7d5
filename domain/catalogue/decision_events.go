package catalogue

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// ConfirmedContext is one context a confirmed message advanced.
type ConfirmedContext struct {
	Context protocol.Hash `json:"context"`
	// Pin is the on-chain value: the context itself for broadcast, the nonce
	// hash for private.
	Pin protocol.Hash `json:"pin"`
	// Count and Digest are the context's running digest after this message.
	Count  uint64        `json:"count"`
	Digest protocol.Hash `json:"digest"`
}

// MessageConfirmed records the aggregator's decision that a message is
// confirmed, with the contexts it advanced in pin order.
type MessageConfirmed struct {
	Namespace   string             `json:"namespace"`
	MessageID   uuid.UUID          `json:"messageId"`
	BatchID     uuid.UUID          `json:"batchId"`
	MessageHash protocol.Hash      `json:"messageHash"`
	Location    ChainLocation      `json:"location"`
	Contexts    []ConfirmedContext `json:"contexts"`
}

// EventType implements Payload.
func (MessageConfirmed) EventType() string { return "MessageConfirmed" }

// Validate implements Payload.
func (m MessageConfirmed) Validate() error {
	if len(m.Contexts) == 0 {
		return invalid("contexts", "a confirmed message advanced at least one context")
	}
	for i, c := range m.Contexts {
		f := fmt.Sprintf("contexts[%d]", i)
		if err := firstError(requireHash(f+".context", c.Context), requireHash(f+".pin", c.Pin), requireHash(f+".digest", c.Digest)); err != nil {
			return err
		}
		if c.Count == 0 {
			return invalid(f+".count", "counts start at 1")
		}
	}
	return firstError(requireNamespace(m.Namespace), requireID("messageId", m.MessageID),
		requireID("batchId", m.BatchID), requireHash("messageHash", m.MessageHash), m.Location.Validate())
}

// RejectReason is a machine-readable rejection cause. The list is closed so
// applications can switch on it; adding one is a schema change. The content
// checks' reasons are protocol.Reason values, so a receiver's verification
// error becomes a rejection without translation.
type RejectReason string

// Why a message is rejected.
const (
	RejectBatchHashMismatch    = RejectReason(protocol.ReasonBatchHashMismatch)
	RejectMessageHashMismatch  = RejectReason(protocol.ReasonMessageHashMismatch)
	RejectDataHashMismatch     = RejectReason(protocol.ReasonDataHashMismatch)
	RejectDataListHashMismatch = RejectReason(protocol.ReasonDataListHashMismatch)
	RejectGroupHashMismatch    = RejectReason(protocol.ReasonGroupHashMismatch)
	RejectManifestMismatch     = RejectReason(protocol.ReasonManifestMismatch)
	RejectInvalidContent       = RejectReason(protocol.ReasonInvalidContent)

	RejectWrongSigner         RejectReason = "wrong-signer"
	RejectAuthorNotRegistered RejectReason = "author-not-registered"
	RejectDatatypeInvalid     RejectReason = "datatype-invalid"
	RejectNotGroupMember      RejectReason = "not-group-member"
	RejectDuplicateMessageID  RejectReason = "duplicate-message-id"
	// RejectNonceMismatch: a private message's pin is not the nonce pin its
	// author owes on the message's context (an injected, replayed or
	// reordered pin). Rejecting it frees the contexts it sat on.
	RejectNonceMismatch RejectReason = "nonce-mismatch"
)

// RejectReasons lists every reason, for schemas and API docs.
func RejectReasons() []RejectReason {
	return []RejectReason{RejectBatchHashMismatch, RejectMessageHashMismatch, RejectDataHashMismatch,
		RejectDataListHashMismatch, RejectGroupHashMismatch, RejectManifestMismatch, RejectInvalidContent,
		RejectWrongSigner, RejectAuthorNotRegistered, RejectDatatypeInvalid, RejectNotGroupMember,
		RejectDuplicateMessageID, RejectNonceMismatch}
}

// Valid reports whether r is one of RejectReasons.
func (r RejectReason) Valid() bool {
	for _, known := range RejectReasons() {
		if r == known {
			return true
		}
	}
	return false
}

// MessageRejected records the aggregator's decision that a message will never
// be confirmed. The pins it consumed are listed so later messages on those
// contexts are not held up.
type MessageRejected struct {
	Namespace string        `json:"namespace"`
	MessageID uuid.UUID     `json:"messageId"`
	BatchID   uuid.UUID     `json:"batchId"`
	Reason    RejectReason  `json:"reason"`
	Detail    string        `json:"detail,omitempty"`
	Location  ChainLocation `json:"location"`
	// Pins are the on-chain values the message consumed.
	Pins []protocol.Hash `json:"pins"`
}

// EventType implements Payload.
func (MessageRejected) EventType() string { return "MessageRejected" }

// Validate implements Payload.
func (m MessageRejected) Validate() error {
	if !m.Reason.Valid() {
		return invalid("reason", "%q is not a known rejection reason", m.Reason)
	}
	return firstError(requireNamespace(m.Namespace), requireID("messageId", m.MessageID),
		requireID("batchId", m.BatchID), m.Location.Validate(), requireHashes("pins", m.Pins))
}
