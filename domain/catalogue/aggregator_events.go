package catalogue

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// GroupKnown records that this node learned a private group's member list
// (sent along with the group's first batch). A group hashes to its own id, so
// a copy from anyone is as good as any other.
type GroupKnown struct {
	Namespace string         `json:"namespace"`
	Group     protocol.Group `json:"group"`
}

// EventType implements Payload.
func (GroupKnown) EventType() string { return "GroupKnown" }

// Validate implements Payload.
func (g GroupKnown) Validate() error {
	if g.Group.Hash().IsZero() {
		return invalid("group", "missing group")
	}
	if g.Group.Namespace() != g.Namespace {
		return invalid("group.namespace", "group is in %q, event in %q", g.Group.Namespace(), g.Namespace)
	}
	return requireNamespace(g.Namespace)
}

// DataReceived records a data item that arrived on its own, not inside its
// batch (a large item sent separately, or a re-send). It is kept as received
// JSON for the same reason as BatchReceived: the aggregator decides whether it
// is the item a manifest lists.
type DataReceived struct {
	Namespace string            `json:"namespace"`
	From      *protocol.NodeDID `json:"from,omitempty"`
	Data      json.RawMessage   `json:"data"`
}

// EventType implements Payload.
func (DataReceived) EventType() string { return "DataReceived" }

// Validate implements Payload: the shape only, never the hash.
func (d DataReceived) Validate() error {
	return firstError(requireNamespace(d.Namespace), requireObject("data", d.Data))
}

// BlobReceived records that the bytes of a blob with this hash are stored on
// this node (fetched from shared storage or sent by a peer) and were checked
// against the hash.
type BlobReceived struct {
	Namespace string        `json:"namespace"`
	Hash      protocol.Hash `json:"hash"`
	Size      int64         `json:"size"`
}

// EventType implements Payload.
func (BlobReceived) EventType() string { return "BlobReceived" }

// Validate implements Payload.
func (b BlobReceived) Validate() error {
	if b.Size < 0 {
		return invalid("size", "negative size %d", b.Size)
	}
	return firstError(requireNamespace(b.Namespace), requireHash("hash", b.Hash))
}

// PinRef names one pin: the log it is in and its index in the log's contexts.
type PinRef struct {
	Location ChainLocation `json:"location"`
	Index    uint32        `json:"index"`
	// Value is the on-chain bytes32: a broadcast context or a private nonce pin.
	Value protocol.Hash `json:"value"`
}

// String is the short form used in parking reasons: block/tx/log/index.
func (p PinRef) String() string {
	return fmt.Sprintf("%d/%d/%d/%d", p.Location.BlockNumber, p.Location.TxIndex, p.Location.LogIndex, p.Index)
}

// Validate checks every field.
func (p PinRef) Validate() error {
	return firstError(p.Location.Validate(), requireHash("pin.value", p.Value))
}

// ParkReason says why an observed pin is not decided yet. The list is closed.
type ParkReason string

// Why a pin is parked.
const (
	// ParkWaitingConfirmations: the pin's block has fewer confirmations than configured.
	ParkWaitingConfirmations ParkReason = "waiting-confirmations"
	// ParkWaitingBatch: the pin's batch has not reached this node.
	ParkWaitingBatch ParkReason = "waiting-batch"
	// ParkWaitingData: the batch is here but a data item, a blob or the
	// private group's member list is not.
	ParkWaitingData ParkReason = "waiting-data"
	// ParkBlockedBy: an earlier pin (BlockedBy) must be decided first: the
	// previous pin on the same context, another pin of the same message, or
	// an earlier pin on the definitions context.
	ParkBlockedBy ParkReason = "blocked-by"
	// ParkNonceMismatch: the batch is here, and the pin is not the next nonce
	// pin its author owes on the message's context.
	ParkNonceMismatch ParkReason = "nonce-mismatch"
	// ParkNotForUs: a private pin this node cannot place on any context it
	// knows and whose batch it does not hold. It blocks nothing and is not
	// stuck; it is placed if its batch arrives.
	ParkNotForUs ParkReason = "not-for-us"
)

// ParkReasons lists every reason.
func ParkReasons() []ParkReason {
	return []ParkReason{ParkWaitingConfirmations, ParkWaitingBatch, ParkWaitingData, ParkBlockedBy,
		ParkNonceMismatch, ParkNotForUs}
}

// Valid reports whether r is one of ParkReasons.
func (r ParkReason) Valid() bool {
	for _, known := range ParkReasons() {
		if r == known {
			return true
		}
	}
	return false
}

// PinParked records that a pin cannot be decided yet, and why. A pin that is
// parked again with another reason gets another PinParked; the latest wins.
type PinParked struct {
	Namespace string     `json:"namespace"`
	Pin       PinRef     `json:"pin"`
	Reason    ParkReason `json:"reason"`
	// BlockedBy is the pin waited for, with reason blocked-by.
	BlockedBy *PinRef `json:"blockedBy,omitempty"`
	// Detail adds what is missing (a batch, data or group id), for people.
	Detail string `json:"detail,omitempty"`
}

// EventType implements Payload.
func (PinParked) EventType() string { return "PinParked" }

// Validate implements Payload.
func (p PinParked) Validate() error {
	if !p.Reason.Valid() {
		return invalid("reason", "%q is not a known parking reason", p.Reason)
	}
	if (p.Reason == ParkBlockedBy) != (p.BlockedBy != nil) {
		return invalid("blockedBy", "set exactly when the reason is blocked-by")
	}
	if p.BlockedBy != nil {
		if err := p.BlockedBy.Validate(); err != nil {
			return err
		}
	}
	return firstError(requireNamespace(p.Namespace), p.Pin.Validate())
}

// Label is the reason as people read it: "blocked-by 12/0/3/1", "waiting-batch".
func (p PinParked) Label() string {
	if p.BlockedBy != nil {
		return string(p.Reason) + " " + p.BlockedBy.String()
	}
	return string(p.Reason)
}

// PinResolution says how a parked pin stopped being parked.
type PinResolution string

// How a parked pin was resolved.
const (
	PinConfirmed PinResolution = "confirmed"
	PinRejected  PinResolution = "rejected"
	// PinRemovedByReorg: the pin left the canonical chain.
	PinRemovedByReorg PinResolution = "removed"
)

// PinUnparked records that a parked pin was decided or removed.
type PinUnparked struct {
	Namespace  string        `json:"namespace"`
	Pin        PinRef        `json:"pin"`
	Resolution PinResolution `json:"resolution"`
}

// EventType implements Payload.
func (PinUnparked) EventType() string { return "PinUnparked" }

// Validate implements Payload.
func (p PinUnparked) Validate() error {
	switch p.Resolution {
	case PinConfirmed, PinRejected, PinRemovedByReorg:
	default:
		return invalid("resolution", "%q is not confirmed, rejected or removed", p.Resolution)
	}
	return firstError(requireNamespace(p.Namespace), p.Pin.Validate())
}

// Decision is what the aggregator decided for a message.
type Decision string

// Decisions.
const (
	DecisionConfirmed Decision = "confirmed"
	DecisionRejected  Decision = "rejected"
)

// Overrides reports whether a message that shows decision shown ("" while
// undecided) takes decision next. A message id can be pinned more than once
// (a batch pinned again after a crash lost the record of its first
// transaction, or a member reusing an id): once a copy is confirmed, the
// later copies' rejections (duplicate-message-id) leave it confirmed; a
// later rejection replaces an earlier one. Everything that shows message
// states (the node's view, the messages projection) decides with this and
// Revokes, so they agree.
func Overrides(shown, next Decision) bool {
	return next == DecisionConfirmed || shown != DecisionConfirmed
}

// Revokes reports whether a revocation of the decision taken at loc undoes
// the decision a message shows, taken at shownAt (nil while undecided): only
// that one's revocation does, not the revocation of another copy's.
func Revokes(shownAt *ChainLocation, loc ChainLocation) bool {
	return shownAt != nil && *shownAt == loc
}

// DecisionRevoked compensates a MessageConfirmed or MessageRejected whose pin
// left the canonical chain (a reorg). The message is pending again; its
// contexts' digests are back to what they were before it, and it is decided
// again if its pin reappears.
type DecisionRevoked struct {
	Namespace string        `json:"namespace"`
	MessageID uuid.UUID     `json:"messageId"`
	BatchID   uuid.UUID     `json:"batchId"`
	Decision  Decision      `json:"decision"`
	Location  ChainLocation `json:"location"`
	// Reason is why, e.g. "reorg".
	Reason string `json:"reason"`
}

// EventType implements Payload.
func (DecisionRevoked) EventType() string { return "DecisionRevoked" }

// Validate implements Payload.
func (d DecisionRevoked) Validate() error {
	if d.Decision != DecisionConfirmed && d.Decision != DecisionRejected {
		return invalid("decision", "%q is not confirmed or rejected", d.Decision)
	}
	if d.Reason == "" {
		return invalid("reason", "missing")
	}
	return firstError(requireNamespace(d.Namespace), requireID("messageId", d.MessageID),
		requireID("batchId", d.BatchID), d.Location.Validate())
}
