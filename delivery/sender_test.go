package delivery_test

import (
	"context"
	"sync"
	"testing"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// publishRecorder is a Watermill publisher that keeps what it is given.
type publishRecorder struct {
	mu   sync.Mutex
	msgs []*message.Message
}

func (p *publishRecorder) Publish(_ string, msgs ...*message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.msgs = append(p.msgs, msgs...)
	return nil
}

func (*publishRecorder) Close() error { return nil }

// TestPublisherSenderMessageIDIsPerSubscription: a broker de-duplicates
// by message id, and event ids are unique within one node's store only
// (two members, or two nodes on two chains, record the same decision
// ids), so the message id names the event and the subscription: equal
// for a redelivery, different for another subscription's delivery of an
// event with the same id. The event id travels in the metadata.
func TestPublisherSenderMessageIDIsPerSubscription(t *testing.T) {
	subject, err := subscription.ParseSubject("ledgermirror.{namespace}.{type}")
	require.NoError(t, err)
	pub := &publishRecorder{}
	sender := delivery.PublisherSender(pub, subject)
	event := uuid.New()
	subA, subB := uuid.New(), uuid.New()
	ctx := context.Background()
	for _, sub := range []uuid.UUID{subA, subA, subB} {
		require.NoError(t, sender.Send(ctx, delivery.Outgoing{Subscription: "default/s", SubscriptionID: sub, ID: event,
			Sequence: 7, Type: "message_confirmed", Event: []byte(`{"namespace":"default"}`)}))
	}
	require.Len(t, pub.msgs, 3)
	assert.Equal(t, pub.msgs[0].UUID, pub.msgs[1].UUID, "a redelivery through one subscription keeps its id")
	assert.NotEqual(t, pub.msgs[0].UUID, pub.msgs[2].UUID, "another subscription's delivery of the same event id has its own")
	assert.NotEqual(t, event.String(), pub.msgs[0].UUID)
	for _, m := range pub.msgs {
		assert.Equal(t, event.String(), m.Metadata.Get(delivery.MetadataEventID))
		assert.Equal(t, "7", m.Metadata.Get(delivery.MetadataSequence))
	}
}
