package delivery

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// Outgoing is one event an outbound transport pushes.
type Outgoing struct {
	// Subscription is "<namespace>/<name>".
	Subscription string
	// SubscriptionID is the subscription's id (see DeliveryID).
	SubscriptionID uuid.UUID
	// ID is the event's id.
	ID       uuid.UUID
	Sequence uint64
	Type     string
	// Event is the event JSON, exactly as a WebSocket client gets it
	// (subscription.Delivery.Event).
	Event json.RawMessage
	// Fields are what a subject template may name.
	Fields subscription.SubjectFields
	// CorrelationID follows the event through Watermill.
	CorrelationID string
}

// DeliveryID identifies the delivery of o's event through o's
// subscription: the same for every redelivery of it, and different for
// another subscription's. A broker de-duplicates by it. The event id alone
// would not do: it is unique in this node's store only (a decision's id
// derives from the chain pin it follows, so every member of a network, or
// a new node on a new chain, records the same ids), and a broker stream
// shared with other subscriptions or members would drop their events as
// duplicates of one another.
func (o Outgoing) DeliveryID() uuid.UUID { return uuid.NewSHA1(o.SubscriptionID, o.ID[:]) }

// Sender pushes the events of one outbound subscription.
type Sender interface {
	// Send makes one attempt to hand o over, returning nil once the
	// receiver has it (a 2xx, a broker's confirm) and the failure
	// otherwise; the router retries it. It returns ctx's error when ctx
	// ends first. Send is called by one goroutine at a time.
	Send(ctx context.Context, o Outgoing) error
	// Close releases connections.
	Close() error
}

// Senders opens the sender of sub's transport and options.
type Senders func(ctx context.Context, sub subscription.Subscription) (Sender, error)

// PublisherSender sends through a Watermill publisher (a broker bridge),
// to the topic subject renders for each event; the message's id is the
// delivery's (Outgoing.DeliveryID), for the broker's de-duplication, and
// the event's id is in its metadata (MetadataEventID).
func PublisherSender(pub message.Publisher, subject subscription.Subject) Sender {
	return publisherSender{pub: pub, subject: subject}
}

type publisherSender struct {
	pub     message.Publisher
	subject subscription.Subject
}

func (p publisherSender) Send(ctx context.Context, o Outgoing) error {
	msg := message.NewMessage(o.DeliveryID().String(), message.Payload(o.Event))
	msg.Metadata.Set(MetadataEventID, o.ID.String())
	msg.Metadata.Set(MetadataSequence, strconv.FormatUint(o.Sequence, 10))
	msg.Metadata.Set(MetadataType, o.Type)
	msg.Metadata.Set(MetadataSubscription, o.Subscription)
	middleware.SetCorrelationID(o.CorrelationID, msg)
	msg.SetContext(ctx)
	return p.pub.Publish(p.subject.Render(o.Fields), msg)
}

func (p publisherSender) Close() error { return p.pub.Close() }

// eventFields reads what a subject template names from an event JSON.
func eventFields(doc []byte) subscription.SubjectFields {
	var e struct {
		Namespace string   `json:"namespace"`
		Type      string   `json:"type"`
		Topics    []string `json:"topics"`
		Tag       string   `json:"tag"`
		Author    string   `json:"author"`
	}
	// The document is the node's own; a field it lacks renders as "_".
	_ = json.Unmarshal(doc, &e)
	f := subscription.SubjectFields{Namespace: e.Namespace, Type: e.Type, Tag: e.Tag, Author: e.Author}
	if len(e.Topics) > 0 {
		f.Topic = e.Topics[0]
	}
	return f
}
