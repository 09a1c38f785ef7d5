package delivery_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// TestSubscriberOnARouter runs a handler on a Watermill router over a
// subscription: a handler failure is nacked and the same event comes
// again before any later one (order kept, at least once), and the acks
// commit the subscription's offset.
func TestSubscriberOnARouter(t *testing.T) {
	h := newHarness(t, delivery.Options{CommitInterval: 10 * time.Millisecond})
	h.create(subscription.Spec{Name: "hook", Options: subscription.OptionsSpec{FirstEvent: "oldest"}})
	docs := h.messages(6, "x")

	sub := delivery.NewSubscriber(h.eng)
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	var mu sync.Mutex
	var seen []string
	failed := false
	done := make(chan struct{})
	router.AddConsumerHandler("hook", "default/hook", sub, func(msg *message.Message) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, msg.UUID)
		assert.Equal(t, "message_confirmed", msg.Metadata.Get(delivery.MetadataType))
		if msg.UUID == docs[2].ID.String() && !failed {
			failed = true
			return errors.New("receiver down")
		}
		if len(seen) == len(docs)+1 {
			close(done)
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := make(chan error, 1)
	go func() { ran <- router.Run(ctx) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the router did not get every event")
	}
	require.NoError(t, router.Close())
	require.NoError(t, <-ran)
	require.NoError(t, sub.Close())

	want := []string{}
	for i, d := range docs {
		want = append(want, d.ID.String())
		if i == 2 {
			want = append(want, d.ID.String()) // nacked, then again
		}
	}
	assert.Equal(t, want, seen)
	require.Eventually(t, func() bool {
		got, err := h.repo.Get(context.Background(), "default", "hook")
		return err == nil && got.Offset == uint64(docs[len(docs)-1].Sequence)
	}, 5*time.Second, 10*time.Millisecond, "offset committed to the last acked event")
}

// TestSubscriberWithRetryMiddleware: the router's retry middleware retries
// within the handler; the event is acked once and the next follows.
func TestSubscriberWithRetryMiddleware(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	h.create(subscription.Spec{Name: "retry", Options: subscription.OptionsSpec{FirstEvent: "oldest"}})
	docs := h.messages(3, "x")
	sub := delivery.NewSubscriber(h.eng)
	router, err := message.NewRouter(message.RouterConfig{}, watermill.NopLogger{})
	require.NoError(t, err)
	router.AddMiddleware(middleware.Retry{MaxRetries: 3, InitialInterval: time.Millisecond}.Middleware)
	var mu sync.Mutex
	attempts := map[string]int{}
	var order []string
	done := make(chan struct{})
	router.AddConsumerHandler("retry", "default/retry", sub, func(msg *message.Message) error {
		mu.Lock()
		defer mu.Unlock()
		attempts[msg.UUID]++
		if attempts[msg.UUID] < 3 {
			return errors.New("try again")
		}
		order = append(order, msg.Metadata.Get(delivery.MetadataSequence))
		if len(order) == len(docs) {
			close(done)
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = router.Run(ctx) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the router did not get every event")
	}
	require.NoError(t, router.Close())
	require.NoError(t, sub.Close())
	for i, d := range docs {
		assert.Equal(t, strconv.FormatInt(d.Sequence, 10), order[i])
		assert.Equal(t, 3, attempts[d.ID.String()])
	}
}

func TestSubscriberRefusesBadTopics(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	sub := delivery.NewSubscriber(h.eng)
	for _, topic := range []string{"", "default", "/x", "default/"} {
		_, err := sub.Subscribe(context.Background(), topic)
		assert.ErrorIs(t, err, subscription.ErrInvalid, topic)
	}
	_, err := sub.Subscribe(context.Background(), "default/nosuch")
	assert.ErrorIs(t, err, subscription.ErrNotFound)
	require.NoError(t, sub.Close())
	_, err = sub.Subscribe(context.Background(), "default/nosuch")
	assert.ErrorIs(t, err, delivery.ErrSubscriberClosed)
}
