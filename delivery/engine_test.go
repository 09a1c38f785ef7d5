package delivery_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
)

func TestEventTypesAreTheProjections(t *testing.T) {
	assert.Equal(t, projections.EventTypes(), subscription.EventTypes())
}

func TestReadAheadAcksAndResume(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	sub := h.create(subscription.Spec{Name: "orders", Options: subscription.OptionsSpec{FirstEvent: "oldest", ReadAhead: 2}})
	docs := h.messages(6, "orders")

	s := h.open(subscription.StreamRequest{Name: "orders"})
	d1, d2 := next(t, s), next(t, s)
	assert.Equal(t, []uint64{uint64(docs[0].Sequence), uint64(docs[1].Sequence)}, []uint64{d1.Sequence, d2.Sequence})
	blocked(t, s) // two in flight: read-ahead reached

	require.NoError(t, s.Ack(d2.ID)) // out of order: the offset stays before d1
	blocked(t, s)
	require.ErrorIs(t, s.Ack(uuid.New()), subscription.ErrNotInFlight)
	require.NoError(t, s.Ack(d1.ID))
	d3 := next(t, s)
	assert.Equal(t, docs[2].ID, d3.ID)
	var ev map[string]any
	require.NoError(t, json.Unmarshal(d3.Event, &ev))
	assert.Equal(t, "message_confirmed", ev["type"])
	assert.Equal(t, map[string]any{"namespace": "default", "name": "orders", "id": sub.ID.String()}, ev["subscription"])
	require.NoError(t, s.Close())

	// d3 was never acked: a new stream starts with it again.
	s2 := h.open(subscription.StreamRequest{Name: "orders"})
	assert.Equal(t, docs[2].ID, next(t, s2).ID)
	require.NoError(t, s2.Ack(uuid.Nil))
	require.NoError(t, s2.Close())

	// The offset is durable: the repository folds the commit.
	require.Eventually(t, func() bool {
		got, err := h.repo.Get(context.Background(), "default", "orders")
		return err == nil && got.Offset >= uint64(docs[2].Sequence) && got.Offset < uint64(docs[3].Sequence)
	}, 5*time.Second, 10*time.Millisecond)
}

// TestAckedEventsHoldTheWindowUntilCommitted: an acknowledged event leaves
// the read-ahead window only once its offset is recorded, so a crash during
// the commit can deliver at most readAhead events again.
func TestAckedEventsHoldTheWindowUntilCommitted(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	h.create(subscription.Spec{Name: "orders", Options: subscription.OptionsSpec{FirstEvent: "oldest", ReadAhead: 1}})
	docs := h.messages(3, "orders")
	s := h.open(subscription.StreamRequest{Name: "orders"})
	d1 := next(t, s)
	assert.Equal(t, docs[0].ID, d1.ID)

	entered, release := h.holdCommits()
	acked := make(chan error, 1)
	go func() { acked <- s.Ack(d1.ID) }()
	select {
	case <-entered:
	case <-time.After(5 * time.Second):
		t.Fatal("the ack never committed its offset")
	}
	blocked(t, s) // d1 is acked but not committed: the window is still full
	release()
	require.NoError(t, <-acked)
	assert.Equal(t, docs[1].ID, next(t, s).ID)
}

func TestLiveEventsWakeTheStream(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	h.messages(3, "old")
	h.create(subscription.Spec{Name: "live"}) // firstEvent newest
	s := h.open(subscription.StreamRequest{Name: "live", AutoAck: true})
	got := make(chan subscription.Delivery, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		d, _ := s.Next(ctx)
		got <- d
	}()
	time.Sleep(50 * time.Millisecond)
	docs := h.messages(1, "new")
	select {
	case d := <-got:
		assert.Equal(t, docs[0].ID, d.ID)
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not wake")
	}
}

func TestFilterAndEphemeralFrom(t *testing.T) {
	h := newHarness(t, delivery.Options{PageSize: 3})
	var docs []projections.EventDoc
	for i := range 10 {
		topic := "b"
		if i%3 == 0 {
			topic = "a"
		}
		docs = append(docs, h.messages(1, topic)...)
	}
	h.add(projections.EventDoc{Type: projections.EventTransactionSubmitted})
	from := uint64(docs[0].Sequence)
	s := h.open(subscription.StreamRequest{Filter: subscription.FilterSpec{Topics: "^a$"}, After: &from, AutoAck: true})
	for _, i := range []int{3, 6, 9} {
		assert.Equal(t, docs[i].ID, next(t, s).ID)
	}
	blocked(t, s)
}

func TestTakeoverAndDelete(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	h.create(subscription.Spec{Name: "one", Options: subscription.OptionsSpec{FirstEvent: "oldest"}})
	docs := h.messages(2, "x")
	first := h.open(subscription.StreamRequest{Name: "one"})
	d := next(t, first)
	require.NoError(t, first.Ack(d.ID))

	second := h.open(subscription.StreamRequest{Name: "one"})
	_, err := first.Next(context.Background())
	require.ErrorIs(t, err, subscription.ErrTakenOver)
	assert.Equal(t, docs[1].ID, next(t, second).ID, "the second consumer resumes after the first one's ack")

	require.NoError(t, h.repo.Delete(context.Background(), "default", "one"))
	h.messages(1, "x")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, second.Ack(uuid.Nil))
	_, err = second.Next(ctx)
	require.ErrorIs(t, err, subscription.ErrNotFound)

	_, err = h.eng.Open(ctx, subscription.StreamRequest{Namespace: "default", Name: "one"})
	require.ErrorIs(t, err, subscription.ErrNotFound)
}

// TestSlowConsumerHoldsBoundedMemory: a consumer that never acks gets
// readAhead events and then nothing, however long the list grows; the
// stream reads no further than one page past them.
func TestSlowConsumerHoldsBoundedMemory(t *testing.T) {
	h := newHarness(t, delivery.Options{PageSize: 10})
	h.create(subscription.Spec{Name: "slow", Options: subscription.OptionsSpec{FirstEvent: "oldest", ReadAhead: 5}})
	docs := h.messages(500, "x")
	s := h.open(subscription.StreamRequest{Name: "slow"})
	for i := range 5 {
		assert.Equal(t, docs[i].ID, next(t, s).ID)
	}
	blocked(t, s)
	assert.LessOrEqual(t, delivery.Buffered(s), 10)
}

func TestEphemeralRefusesBadFilter(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	_, err := h.eng.Open(context.Background(), subscription.StreamRequest{Namespace: "default",
		Filter: subscription.FilterSpec{Tag: "("}})
	require.ErrorIs(t, err, subscription.ErrInvalid)
}
