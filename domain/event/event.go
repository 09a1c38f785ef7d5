package event

import (
	"encoding/json"
	"time"

	"github.com/google/uuid"
)

// Position is an event's place in the store-wide order. It is strictly increasing
// in commit order: a reader that has seen position N never later sees a new event
// below N. Zero means "before the first event".
type Position uint64

// Revision is an event's place in its stream, starting at 1. A stream's revision is
// the revision of its last event; zero means the stream has no events.
type Revision uint64

// Metadata travels with every event but is not part of what it says: it explains
// why the event exists (correlation and causation) and where it was recorded.
type Metadata struct {
	// CorrelationID ties together every event caused, directly or not, by one
	// outside request (an API call, a chain log).
	CorrelationID string `json:"correlationId,omitempty"`
	// CausationID is the id of the event or request that directly caused this one.
	CausationID string `json:"causationId,omitempty"`
	// Node is the DID of the node that recorded the event.
	Node string `json:"node,omitempty"`
	// Namespace the event belongs to; empty for node-wide events.
	Namespace string `json:"namespace,omitempty"`
}

// Event is a stored event: what Append was given plus what the store assigned
// (Stream, Revision, Position, Recorded).
type Event struct {
	ID       uuid.UUID
	Stream   string
	Revision Revision
	Position Position
	// Type names the event without its version, e.g. "MessageSubmitted".
	Type string
	// Version is the schema version Data was written with, starting at 1.
	Version int
	// Recorded is when the store committed the event, UTC.
	Recorded time.Time
	// Data is the event's JSON body.
	Data     json.RawMessage
	Metadata Metadata
	// Memo, when not nil, is shared by every reader of this stored event
	// instance, to hold its decoded payload once (see Memo). It is not part of
	// the event's content, and nil for events read straight from storage.
	// Data is then shared too: treat both as read-only.
	Memo *Memo
}

// TypeVersion is the versioned type name, e.g. "MessageSubmitted.v1".
func (e Event) TypeVersion() string { return TypeVersion(e.Type, e.Version) }

// Proposed is an event offered to Append. The store assigns the rest.
type Proposed struct {
	// ID makes appends idempotent: re-appending an ID that is already stored with
	// the same content is a no-op. It must not be the zero UUID.
	ID       uuid.UUID
	Type     string
	Version  int
	Data     json.RawMessage
	Metadata Metadata
}
