package catalogue

import (
	"github.com/google/uuid"
)

// SubscriptionDeadLettered records that an outbound transport gave up on
// one event of a subscription after its last attempt; delivery went on
// past it, or paused (Paused) until the subscription is resumed or this
// dead letter is redriven. It is in the subscription's stream.
type SubscriptionDeadLettered struct {
	Namespace string    `json:"namespace"`
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	// Sequence and EventID name the app-facing event that was not
	// delivered.
	Sequence uint64    `json:"sequence"`
	EventID  uuid.UUID `json:"eventId"`
	// Kind is the app-facing event's type (message_confirmed, ...).
	Kind     string `json:"eventType"`
	Attempts int    `json:"attempts"`
	// Error is the last attempt's failure.
	Error  string `json:"error"`
	Paused bool   `json:"paused,omitempty"`
}

// EventType implements Payload.
func (SubscriptionDeadLettered) EventType() string { return "SubscriptionDeadLettered" }

// Validate implements Payload.
func (s SubscriptionDeadLettered) Validate() error {
	if err := firstError(requireNamespace(s.Namespace), requireID("id", s.ID), requireSubscriptionName(s.Name),
		requireID("eventId", s.EventID)); err != nil {
		return err
	}
	if s.Sequence == 0 {
		return invalid("sequence", "must not be 0")
	}
	if s.Attempts < 1 {
		return invalid("attempts", "%d: at least one attempt is made", s.Attempts)
	}
	return nil
}

// SubscriptionRedriven records that a dead-lettered event was delivered
// when an operator redrove it. A subscription paused by that dead letter
// resumes.
type SubscriptionRedriven struct {
	Namespace string    `json:"namespace"`
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	Sequence  uint64    `json:"sequence"`
	EventID   uuid.UUID `json:"eventId"`
}

// EventType implements Payload.
func (SubscriptionRedriven) EventType() string { return "SubscriptionRedriven" }

// Validate implements Payload.
func (s SubscriptionRedriven) Validate() error {
	if err := firstError(requireNamespace(s.Namespace), requireID("id", s.ID), requireSubscriptionName(s.Name),
		requireID("eventId", s.EventID)); err != nil {
		return err
	}
	if s.Sequence == 0 {
		return invalid("sequence", "must not be 0")
	}
	return nil
}

// SubscriptionResumed ends a pause that a dead letter started.
type SubscriptionResumed struct {
	Namespace string    `json:"namespace"`
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
}

// EventType implements Payload.
func (SubscriptionResumed) EventType() string { return "SubscriptionResumed" }

// Validate implements Payload.
func (s SubscriptionResumed) Validate() error {
	return firstError(requireNamespace(s.Namespace), requireID("id", s.ID), requireSubscriptionName(s.Name))
}
