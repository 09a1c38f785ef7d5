package catalogue

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// BatchSealed records that this node closed a batch of its own messages,
// with the pins computed at seal time: a private batch's nonces are taken
// then, so re-pinning it after a crash sends the very same values.
type BatchSealed struct {
	Manifest protocol.Manifest `json:"manifest"`
	// Contexts are the ordering contexts of the batch's pins, in pin order.
	Contexts []protocol.Hash `json:"contexts"`
	// Pins are the on-chain values, in the same order: the contexts
	// themselves for broadcast, nonce hashes for private.
	Pins []protocol.Hash `json:"pins"`
}

// EventType implements Payload.
func (BatchSealed) EventType() string { return "BatchSealed" }

// Validate implements Payload.
func (b BatchSealed) Validate() error {
	if len(b.Pins) != len(b.Contexts) {
		return invalid("pins", "%d pins for %d contexts", len(b.Pins), len(b.Contexts))
	}
	return requireID("manifest.id", b.Manifest.ID())
}

// BatchDispatched records that a sealed batch left this node: uploaded to
// shared storage (broadcast) or sent to every recipient node (private).
type BatchDispatched struct {
	Namespace  string             `json:"namespace"`
	BatchID    uuid.UUID          `json:"batchId"`
	BatchHash  protocol.Hash      `json:"batchHash"`
	PayloadRef string             `json:"payloadRef,omitempty"`
	Recipients []protocol.NodeDID `json:"recipients,omitempty"`
}

// EventType implements Payload.
func (BatchDispatched) EventType() string { return "BatchDispatched" }

// Validate implements Payload.
func (b BatchDispatched) Validate() error {
	if b.PayloadRef == "" && len(b.Recipients) == 0 {
		return invalid("payloadRef/recipients", "a dispatch goes to shared storage or to recipients")
	}
	for i, r := range b.Recipients {
		if r.IsZero() {
			return invalid(fmt.Sprintf("recipients[%d]", i), "missing node DID")
		}
	}
	return firstError(requireNamespace(b.Namespace), requireID("batchId", b.BatchID), requireHash("batchHash", b.BatchHash))
}

// BatchReceived records a batch exactly as it arrived from a peer or shared
// storage. Its parts are kept as received JSON, not parsed protocol values,
// because a tampered batch must still be stored: the aggregator verifies it when
// its pin comes up and records the rejection in pin order.
type BatchReceived struct {
	Namespace string    `json:"namespace"`
	BatchID   uuid.UUID `json:"batchId"`
	// From is the sending node, empty when read from shared storage.
	From       *protocol.NodeDID `json:"from,omitempty"`
	PayloadRef string            `json:"payloadRef,omitempty"`
	Manifest   json.RawMessage   `json:"manifest"`
	Messages   []json.RawMessage `json:"messages"`
	Data       []json.RawMessage `json:"data"`
}

// EventType implements Payload.
func (BatchReceived) EventType() string { return "BatchReceived" }

// Validate implements Payload: the shape only, never the hashes.
func (b BatchReceived) Validate() error {
	if err := firstError(requireNamespace(b.Namespace), requireID("batchId", b.BatchID), requireObject("manifest", b.Manifest)); err != nil {
		return err
	}
	if len(b.Messages) == 0 {
		return invalid("messages", "a batch has at least one message")
	}
	return firstError(requireObjects("messages", b.Messages), requireObjects("data", b.Data))
}
