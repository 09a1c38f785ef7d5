package delivery_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// TestLogFoldsTheSameAfterARestart: a second Log over the same store (a
// restarted node) has the same subscriptions, offsets and deletions.
func TestLogFoldsTheSameAfterARestart(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	ctx := context.Background()
	h.create(subscription.Spec{Name: "kept", Options: subscription.OptionsSpec{FirstEvent: "oldest"}})
	h.create(subscription.Spec{Name: "dropped"})
	docs := h.messages(3, "x")
	s := h.open(subscription.StreamRequest{Name: "kept", AutoAck: true})
	for range docs {
		next(t, s)
	}
	require.NoError(t, s.Close())
	require.NoError(t, h.repo.Delete(ctx, "default", "dropped"))
	_, err := h.repo.Update(ctx, "default", "kept", subscription.Spec{Transport: subscription.TransportSSE,
		Filter: subscription.FilterSpec{Tag: "^t$"}})
	require.NoError(t, err)
	var want subscription.Subscription
	require.Eventually(t, func() bool {
		want, err = h.repo.Get(ctx, "default", "kept")
		return err == nil && want.Offset == uint64(docs[2].Sequence)
	}, 5*time.Second, 10*time.Millisecond)

	again := subscription.NewLog(h.store, catalogue.Default())
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = again.Run(runCtx) }()
	got, err := again.Get(ctx, "default", "kept")
	require.NoError(t, err)
	assert.Equal(t, want, got)
	_, err = again.Get(ctx, "default", "dropped")
	assert.ErrorIs(t, err, subscription.ErrNotFound)
	list, err := again.List(ctx, "default")
	require.NoError(t, err)
	assert.Len(t, list, 1)
}

// TestConcurrentCreatesOfOneName: exactly one wins, the others get
// ErrExists (the stream's revision decides, not a check-then-act).
func TestConcurrentCreatesOfOneName(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.repo.Create(context.Background(), "default",
				subscription.Spec{Name: "race", Transport: subscription.TransportWebSocket})
		}()
	}
	wg.Wait()
	wins := 0
	for _, err := range errs {
		if err == nil {
			wins++
		} else {
			assert.True(t, errors.Is(err, subscription.ErrExists), "%v", err)
		}
	}
	assert.Equal(t, 1, wins)
}
