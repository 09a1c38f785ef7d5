package delivery

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// Metadata keys of the messages Subscriber emits.
const (
	MetadataSequence     = "lm_sequence"
	MetadataType         = "lm_type"
	MetadataNamespace    = "lm_namespace"
	MetadataSubscription = "lm_subscription"
	// MetadataEventID is the event's id on a message a PublisherSender
	// publishes (the message's own id is the delivery's).
	MetadataEventID = "lm_event_id"
)

// Subscriber is a Watermill message.Subscriber over subscription streams,
// so that outbound transports (webhooks, broker bridges) run as handlers
// of a Watermill router with its retry, throttle and poison middleware.
// A topic is "<namespace>/<subscription name>". Messages come one at a
// time, in sequence order: the next is sent once the previous is acked,
// and a nacked message is sent again (the same id and payload) until it
// is acked, so delivery stays in order and at least once. Acks commit the
// subscription's offset through the stream.
type Subscriber struct {
	streams subscription.Streams

	mu      sync.Mutex
	closed  bool
	closing chan struct{}
	running sync.WaitGroup
}

var _ message.Subscriber = (*Subscriber)(nil)

// ErrSubscriberClosed is returned by Subscribe after Close.
var ErrSubscriberClosed = errors.New("delivery: subscriber closed")

// NewSubscriber returns a subscriber opening streams from streams (an
// Engine).
func NewSubscriber(streams subscription.Streams) *Subscriber {
	return &Subscriber{streams: streams, closing: make(chan struct{})}
}

// Subscribe implements message.Subscriber. The channel closes when ctx
// ends, Close is called, or the stream ends (the subscription was deleted
// or taken over by another consumer).
func (s *Subscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	ns, name, ok := strings.Cut(topic, "/")
	if !ok || ns == "" || name == "" {
		return nil, fmt.Errorf("%w: topic %q is not <namespace>/<subscription>", subscription.ErrInvalid, topic)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrSubscriberClosed
	}
	// ReadAhead 1: Watermill holds one message in flight, and a larger
	// window would only keep events the stream could not count as acked.
	st, err := s.streams.Open(ctx, subscription.StreamRequest{Namespace: ns, Name: name, ReadAhead: 1})
	if err != nil {
		return nil, err
	}
	out := make(chan *message.Message)
	s.running.Add(1)
	go s.pump(ctx, st, ns, name, out)
	return out, nil
}

func (s *Subscriber) pump(ctx context.Context, st subscription.Stream, ns, name string, out chan<- *message.Message) {
	defer s.running.Done()
	defer close(out)
	defer func() { _ = st.Close() }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		select {
		case <-s.closing:
			cancel()
		case <-ctx.Done():
		}
	}()
	for {
		d, err := st.Next(ctx)
		if err != nil {
			return
		}
		for acked := false; !acked; {
			msg := message.NewMessage(d.ID.String(), message.Payload(d.Event))
			msg.Metadata.Set(MetadataSequence, strconv.FormatUint(d.Sequence, 10))
			msg.Metadata.Set(MetadataType, d.Type)
			msg.Metadata.Set(MetadataNamespace, ns)
			msg.Metadata.Set(MetadataSubscription, name)
			msg.SetContext(ctx)
			select {
			case out <- msg:
			case <-ctx.Done():
				return
			}
			select {
			case <-msg.Acked():
				acked = true
				if err := st.Ack(d.ID); err != nil {
					return
				}
			case <-msg.Nacked():
			case <-ctx.Done():
				return
			}
		}
	}
}

// Close implements message.Subscriber: every stream ends (recording its
// offset) and its channel closes before Close returns.
func (s *Subscriber) Close() error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.closing)
	}
	s.mu.Unlock()
	s.running.Wait()
	return nil
}
