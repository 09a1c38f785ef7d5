package subscription

import (
	"context"
	"encoding/json"

	"github.com/google/uuid"
)

// Repository stores named subscriptions. Log implements it over the event
// store. Methods are safe for concurrent use and honour ctx (returning its
// error when it ends first).
type Repository interface {
	// Create records a new subscription, resolving firstEvent against the
	// newest event now. ErrExists if the name is taken in the namespace,
	// ErrInvalid if spec breaks a rule. Once Create returns, Get sees it.
	Create(ctx context.Context, ns string, spec Spec) (Subscription, error)
	// Update replaces the transport, filter and options of the subscription
	// name (spec.Name must be empty or name); id and offset stay.
	// ErrNotFound, ErrInvalid.
	Update(ctx context.Context, ns, name string, spec Spec) (Subscription, error)
	// Delete removes the subscription; streams on it end. ErrNotFound.
	Delete(ctx context.Context, ns, name string) error
	// Get returns the subscription. ErrNotFound.
	Get(ctx context.Context, ns, name string) (Subscription, error)
	// List returns the namespace's subscriptions, sorted by name.
	List(ctx context.Context, ns string) ([]Subscription, error)
	// CommitOffset records that the subscription id (still named name) is
	// acknowledged up to offset. Offsets only grow: a lower one is ignored.
	// A commit for a deleted or re-created subscription (another id) is
	// dropped with ErrNotFound.
	CommitOffset(ctx context.Context, ns, name string, id uuid.UUID, offset uint64) error
	// RecordDeadLetter records that the subscription id (still named name)
	// gave up on an event; with onDeadLetter "pause" it pauses. Once it
	// returns, Get sees it, and it returns the subscription as it is
	// then. ErrNotFound for a deleted or re-created subscription.
	RecordDeadLetter(ctx context.Context, ns, name string, id uuid.UUID, dl DeadLetter) (Subscription, error)
	// DeadLetters lists the subscription's dead letters by sequence.
	// ErrNotFound.
	DeadLetters(ctx context.Context, ns, name string) ([]DeadLetter, error)
	// DeadLetter returns the subscription and its dead letter at seq.
	// ErrNotFound for either.
	DeadLetter(ctx context.Context, ns, name string, seq uint64) (Subscription, DeadLetter, error)
	// RecordRedriven records that dl was delivered by a redrive; a pause
	// that dl started ends. Same contract as RecordDeadLetter.
	RecordRedriven(ctx context.Context, ns, name string, id uuid.UUID, dl DeadLetter) (Subscription, error)
	// Resume ends a pause; a subscription that is not paused is returned
	// as it is. ErrNotFound.
	Resume(ctx context.Context, ns, name string) (Subscription, error)
}

// Redriver delivers one dead-lettered event again, once, on its
// subscription's transport (the delivery side implements it; the API
// consumes it). It returns the subscription after the redrive was
// recorded, ErrNotFound for an unknown subscription or dead letter,
// ErrInvalid for a subscription that is not outbound, and an error
// wrapping ErrDeliveryFailed when the attempt failed (nothing recorded).
type Redriver interface {
	Redrive(ctx context.Context, ns, name string, seq uint64) (Subscription, error)
}

// Streams opens delivery streams over the app-facing event list. The
// delivery engine implements it; the WebSocket and SSE transports use it.
type Streams interface {
	// Open starts a stream. ErrNotFound for an unknown named subscription,
	// ErrInvalid for a bad ephemeral filter or options. A named
	// subscription has one stream at a time: opening it again ends the
	// previous stream (its Next returns ErrTakenOver), and the new one
	// resumes after the last acknowledged event, so unacknowledged events
	// are delivered again (at least once, in order).
	Open(ctx context.Context, req StreamRequest) (Stream, error)
}

// StreamRequest says what to stream.
type StreamRequest struct {
	Namespace string
	// Name is a stored subscription; empty for an ephemeral stream, which
	// Filter and Options describe and which commits no offset.
	Name    string
	Filter  FilterSpec
	Options OptionsSpec
	// After, when set, resumes after this offset instead of the committed
	// one (SSE's Last-Event-ID, ?from=). For a named subscription it also
	// acknowledges everything up to it.
	After *uint64
	// AutoAck counts each event as acknowledged once Next has returned it,
	// for transports without acks (SSE) or clients that ask for it.
	AutoAck bool
	// ReadAhead, when not 0, overrides the subscription's.
	ReadAhead int
}

// Stream is one consumer's view of a subscription: events in sequence
// order, at most ReadAhead unacknowledged at a time. A Stream is used by
// one goroutine for Next and may be acked from another.
type Stream interface {
	// Next returns the next matching event, waiting for one to be
	// projected, or for an ack when ReadAhead events await one. It returns
	// ctx's error when ctx ends, ErrTakenOver or ErrNotFound when the
	// subscription was opened elsewhere or deleted, and read errors.
	Next(ctx context.Context) (Delivery, error)
	// Ack acknowledges the in-flight event id; uuid.Nil acknowledges the
	// oldest. Acks may come in any order; the committed offset is the
	// highest sequence below which everything is acknowledged.
	// ErrNotInFlight if id awaits no ack.
	Ack(id uuid.UUID) error
	// Close ends the stream and records its offset. Idempotent.
	Close() error
}

// Delivery is one event handed to a transport.
type Delivery struct {
	ID       uuid.UUID
	Sequence uint64
	Type     string
	// Event is the event's JSON as GET /events/{sequence} returns it, plus
	// "subscription" ({namespace, name, id}; name empty for an ephemeral
	// stream) and, with withData, the message ("message").
	Event json.RawMessage
}
