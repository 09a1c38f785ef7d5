package subscription

import (
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Transport says how a subscription's events leave the node.
type Transport string

// Transports. WebSocket and SSE are read by the application; webhook,
// NATS and AMQP are outbound: the node pushes to them (see Outbound).
const (
	TransportWebSocket Transport = "websocket"
	TransportSSE       Transport = "sse"
	TransportWebhook   Transport = "webhook"
	TransportNATS      Transport = "nats"
	TransportAMQP      Transport = "amqp"
)

// deliveredTransports are the transports this version delivers on.
func deliveredTransports() []Transport {
	return []Transport{TransportWebSocket, TransportSSE, TransportWebhook, TransportNATS, TransportAMQP}
}

// Outbound says whether the node pushes t's events (with retries and dead
// letters) rather than an application reading them.
func (t Transport) Outbound() bool {
	return t == TransportWebhook || t == TransportNATS || t == TransportAMQP
}

// Read-ahead bounds: how many delivered events may await an ack.
const (
	DefaultReadAhead = 50
	MaxReadAhead     = 1000
)

// FirstEvent values besides an offset.
const (
	FirstOldest = "oldest"
	FirstNewest = "newest"
)

// OptionsSpec are transport options as an application writes them.
// FirstEvent is "oldest", "newest" (the default) or an offset: delivery
// starts with the first event whose sequence is greater than it.
type OptionsSpec = catalogue.SubscriptionOptions

// Spec is a subscription as an application writes it.
type Spec struct {
	Name      string      `json:"name"`
	Transport Transport   `json:"transport"`
	Filter    FilterSpec  `json:"filter"`
	Options   OptionsSpec `json:"options"`
}

// Subscription is a valid named subscription.
type Subscription struct {
	ID        uuid.UUID
	Namespace string
	Name      string
	Transport Transport
	Filter    Filter
	Options   OptionsSpec
	// Start is where delivery began (firstEvent, resolved at creation);
	// Offset is the last acknowledged sequence, Start until the first ack.
	Start   uint64
	Offset  uint64
	Created time.Time
	Updated time.Time
	// PausedAt is the sequence of the dead letter that paused an outbound
	// subscription (OnDeadLetter "pause"); 0 while it delivers.
	PausedAt uint64
}

// Paused says whether delivery waits for a resume or a redrive.
func (s Subscription) Paused() bool { return s.PausedAt != 0 }

// Validated is a checked Spec, ready to be recorded: what New returns.
type Validated struct {
	Namespace string
	Name      string
	Transport Transport
	Filter    Filter
	Options   OptionsSpec
}

// New checks spec for namespace ns. The options are returned with their
// defaults filled in (readAhead, firstEvent).
func New(ns string, spec Spec) (Validated, error) {
	if err := protocol.ValidateNamespace(ns); err != nil {
		return Validated{}, invalid("namespace", "%v", err)
	}
	if err := protocol.ValidateName(spec.Name); err != nil {
		return Validated{}, invalid("name", "%v", err)
	}
	if !slices.Contains(deliveredTransports(), spec.Transport) {
		return Validated{}, invalid("transport", "%q: this node delivers on %v", spec.Transport, deliveredTransports())
	}
	filter, err := NewFilter(spec.Filter)
	if err != nil {
		return Validated{}, err
	}
	opts, err := checkOptions(spec.Options)
	if err != nil {
		return Validated{}, err
	}
	if opts, err = checkTransportOptions(spec.Transport, opts); err != nil {
		return Validated{}, err
	}
	return Validated{Namespace: ns, Name: spec.Name, Transport: spec.Transport, Filter: filter, Options: opts}, nil
}

// checkOptions validates and defaults the options shared by named and
// ephemeral subscriptions.
func checkOptions(o OptionsSpec) (OptionsSpec, error) {
	if o.FirstEvent == "" {
		o.FirstEvent = FirstNewest
	}
	if _, _, err := ParseFirstEvent(o.FirstEvent); err != nil {
		return OptionsSpec{}, err
	}
	switch {
	case o.ReadAhead == 0:
		o.ReadAhead = DefaultReadAhead
	case o.ReadAhead < 0 || o.ReadAhead > MaxReadAhead:
		return OptionsSpec{}, invalid("options.readAhead", "%d is not between 1 and %d", o.ReadAhead, MaxReadAhead)
	}
	return o, nil
}

// ParseFirstEvent reads a firstEvent value: newest is true for "newest";
// otherwise offset is where delivery starts after (0 for "oldest").
func ParseFirstEvent(s string) (offset uint64, newest bool, err error) {
	switch s {
	case FirstOldest:
		return 0, false, nil
	case FirstNewest:
		return 0, true, nil
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, false, invalid("options.firstEvent", "%q is not oldest, newest or an offset (a sequence number)", s)
	}
	return n, false, nil
}

// Resolve turns a firstEvent into the offset delivery starts after, given
// the sequence of the newest event now.
func Resolve(firstEvent string, head uint64) (uint64, error) {
	offset, newest, err := ParseFirstEvent(firstEvent)
	if newest {
		return head, err
	}
	return offset, err
}

// Ephemeral checks the filter and options of a subscription that is not
// stored (a WebSocket start naming a filter, an ad-hoc stream).
func Ephemeral(ns string, filter FilterSpec, opts OptionsSpec) (Filter, OptionsSpec, error) {
	if err := protocol.ValidateNamespace(ns); err != nil {
		return Filter{}, OptionsSpec{}, invalid("namespace", "%v", err)
	}
	f, err := NewFilter(filter)
	if err != nil {
		return Filter{}, OptionsSpec{}, err
	}
	o, err := checkOptions(opts)
	if err == nil {
		// An ephemeral stream is read by the application: it has no
		// outbound transport to configure.
		_, err = checkTransportOptions(TransportWebSocket, o)
	}
	return f, o, err
}
