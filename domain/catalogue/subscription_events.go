package catalogue

import (
	"slices"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// SubscriptionStream holds one named subscription's life: created, updated,
// offsets committed, deleted. It is keyed by namespace and name, not id, so
// that two creates of one name race on the stream's revision and only one
// wins; a name created again after a delete continues the same stream with
// a new id.
func SubscriptionStream(namespace, name string) string {
	return "subscription-" + namespace + "-" + name
}

// SubscriptionFilter is the wire shape of a subscription's filter. The
// subscription package compiles and checks it (regular expressions, known
// event types); here it is only data.
type SubscriptionFilter struct {
	// Events lists app-facing event types (message_confirmed, ...); empty
	// means every type.
	Events []string `json:"events,omitempty"`
	// Topics, Tag, Author and Group are regular expressions over the
	// message's fields; Type is a message type.
	Topics string `json:"topics,omitempty"`
	Tag    string `json:"tag,omitempty"`
	Author string `json:"author,omitempty"`
	Group  string `json:"group,omitempty"`
	Type   string `json:"type,omitempty"`
}

// SubscriptionOptions are a subscription's transport options, as given.
type SubscriptionOptions struct {
	URL    string `json:"url,omitempty"`
	Secret string `json:"secret,omitempty"`
	// FirstEvent is what the application asked for (oldest, newest or an
	// offset); SubscriptionCreated.Start is what it resolved to.
	FirstEvent string `json:"firstEvent,omitempty"`
	ReadAhead  int    `json:"readAhead,omitempty"`
	WithData   bool   `json:"withData,omitempty"`
	// Retry is the back-off of an outbound transport (webhook, nats,
	// amqp); unset fields take the node's defaults.
	Retry *SubscriptionRetry `json:"retry,omitempty"`
	// OnDeadLetter is what an outbound transport does after an event's
	// last attempt failed: "continue" (the default) or "pause".
	OnDeadLetter string `json:"onDeadLetter,omitempty"`
	// Subject is the NATS subject or AMQP routing key, a template over the
	// event's fields ({namespace}, {type}, {topic}, {tag}, {author}).
	Subject string `json:"subject,omitempty"`
	// Exchange is the AMQP exchange published to.
	Exchange string `json:"exchange,omitempty"`
}

// SubscriptionRetry is an outbound transport's exponential back-off:
// the first wait, the longest wait (Go durations, "500ms", "1m") and how
// many attempts an event gets before it is dead-lettered.
type SubscriptionRetry struct {
	Initial  string `json:"initial,omitempty"`
	Max      string `json:"max,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
}

// SubscriptionCreated records a named subscription.
type SubscriptionCreated struct {
	Namespace string              `json:"namespace"`
	ID        uuid.UUID           `json:"id"`
	Name      string              `json:"name"`
	Transport string              `json:"transport"`
	Filter    SubscriptionFilter  `json:"filter"`
	Options   SubscriptionOptions `json:"options"`
	// Start is the offset delivery starts after: firstEvent resolved when
	// the subscription was created ("newest" is the head then), so reading
	// the log again starts it at the same place.
	Start uint64 `json:"start"`
}

// EventType implements Payload.
func (SubscriptionCreated) EventType() string { return "SubscriptionCreated" }

// Validate implements Payload.
func (s SubscriptionCreated) Validate() error {
	return validateSubscription(s.Namespace, s.ID, s.Name, s.Transport, s.Options)
}

// SubscriptionUpdated replaces a subscription's transport, filter and
// options; its id, name and offset stay.
type SubscriptionUpdated struct {
	Namespace string              `json:"namespace"`
	ID        uuid.UUID           `json:"id"`
	Name      string              `json:"name"`
	Transport string              `json:"transport"`
	Filter    SubscriptionFilter  `json:"filter"`
	Options   SubscriptionOptions `json:"options"`
}

// EventType implements Payload.
func (SubscriptionUpdated) EventType() string { return "SubscriptionUpdated" }

// Validate implements Payload.
func (s SubscriptionUpdated) Validate() error {
	return validateSubscription(s.Namespace, s.ID, s.Name, s.Transport, s.Options)
}

// SubscriptionDeleted ends a subscription; nothing more is delivered to it.
type SubscriptionDeleted struct {
	Namespace string    `json:"namespace"`
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
}

// EventType implements Payload.
func (SubscriptionDeleted) EventType() string { return "SubscriptionDeleted" }

// Validate implements Payload.
func (s SubscriptionDeleted) Validate() error {
	return firstError(requireNamespace(s.Namespace), requireID("id", s.ID), requireSubscriptionName(s.Name))
}

// SubscriptionOffsetCommitted records that the application acknowledged
// every event of the subscription up to and including Offset. Commits are
// coalesced by the delivery engine, so one event stands for many acks.
type SubscriptionOffsetCommitted struct {
	Namespace string    `json:"namespace"`
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Offset    uint64    `json:"offset"`
}

// EventType implements Payload.
func (SubscriptionOffsetCommitted) EventType() string { return "SubscriptionOffsetCommitted" }

// Validate implements Payload.
func (s SubscriptionOffsetCommitted) Validate() error {
	return firstError(requireNamespace(s.Namespace), requireID("id", s.ID), requireSubscriptionName(s.Name))
}

func validateSubscription(ns string, id uuid.UUID, name, transport string, o SubscriptionOptions) error {
	if err := firstError(requireNamespace(ns), requireID("id", id), requireSubscriptionName(name)); err != nil {
		return err
	}
	if !slices.Contains(SubscriptionTransports(), transport) {
		return invalid("transport", "%q is not one of %v", transport, SubscriptionTransports())
	}
	if o.ReadAhead < 0 {
		return invalid("options.readAhead", "negative")
	}
	return nil
}

func requireSubscriptionName(name string) error {
	if err := protocol.ValidateName(name); err != nil {
		return invalid("name", "%v", err)
	}
	return nil
}

// SubscriptionTransports lists the transports a subscription may name.
func SubscriptionTransports() []string {
	return []string{"websocket", "sse", "webhook", "nats", "amqp"}
}
