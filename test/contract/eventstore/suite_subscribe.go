package eventstore

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func subscribe(t *testing.T, store event.Store, after event.Position, f event.Filter) event.Subscription {
	t.Helper()
	sub, err := store.Subscribe(ctxFor(t), after, f)
	require.NoError(t, err)
	t.Cleanup(func() { _ = sub.Close() })
	return sub
}

func (s suite) testSubscribeStartPoints(t *testing.T) {
	store, _ := s.open(t)
	for i := range 10 {
		mustAppend(t, store, fmt.Sprintf("item-%d", i%3), event.Any(), ev("ItemAdded", `{}`))
	}
	before := readAll(t, store)
	head, err := store.Head(ctxFor(t))
	require.NoError(t, err)

	fromZero := subscribe(t, store, 0, event.Filter{})
	fromMiddle := subscribe(t, store, before[4].Position, event.Filter{})
	fromHead := subscribe(t, store, head, event.Filter{})

	assert.Equal(t, before, collect(t, fromZero, 10), "catch-up from 0")
	assert.Equal(t, before[5:], collect(t, fromMiddle, 5), "catch-up from the middle")
	quiet(t, fromHead)

	for i := range 5 {
		mustAppend(t, store, fmt.Sprintf("item-%d", i%3), event.Any(), ev("ItemRemoved", `{}`))
	}
	live := readAll(t, store)[10:]
	require.Len(t, live, 5)
	assert.Equal(t, live, collect(t, fromZero, 5), "live after catch-up")
	assert.Equal(t, live, collect(t, fromMiddle, 5))
	assert.Equal(t, live, collect(t, fromHead, 5), "live from the head")
	quiet(t, fromZero)
}

func (s suite) testSubscribeFilter(t *testing.T) {
	store, _ := s.open(t)
	appendMix := func() {
		mustAppend(t, store, "order-"+uuid.NewString(), event.NoStream(), ev("OrderPlaced", `{}`), ev("OrderPaid", `{}`))
		mustAppend(t, store, "invoice-"+uuid.NewString(), event.NoStream(), ev("OrderPlaced", `{}`), ev("InvoiceIssued", `{}`))
	}
	appendMix()
	appendMix()

	byPrefix := subscribe(t, store, 0, event.Filter{StreamPrefix: "order-"})
	byType := subscribe(t, store, 0, event.Filter{Types: []string{"OrderPlaced"}})
	both := subscribe(t, store, 0, event.Filter{StreamPrefix: "invoice-", Types: []string{"InvoiceIssued", "Nothing"}})

	appendMix() // some live, too
	all := readAll(t, store)
	want := func(f event.Filter) []event.Event {
		var out []event.Event
		for _, e := range all {
			if f.Matches(e) {
				out = append(out, e)
			}
		}
		return out
	}
	for _, c := range []struct {
		sub event.Subscription
		f   event.Filter
	}{
		{byPrefix, event.Filter{StreamPrefix: "order-"}},
		{byType, event.Filter{Types: []string{"OrderPlaced"}}},
		{both, event.Filter{StreamPrefix: "invoice-", Types: []string{"InvoiceIssued", "Nothing"}}},
	} {
		w := want(c.f)
		require.NotEmpty(t, w)
		assert.Equal(t, w, collect(t, c.sub, len(w)), "filter %+v", c.f)
		quiet(t, c.sub)
	}
}

// testConcurrentAppendersAndSubscribers: 8 appenders and 4 subscribers at
// once. Every subscriber must see every event exactly once, in strictly
// increasing positions, exactly as ReadAll sees them afterwards.
func (s suite) testConcurrentAppendersAndSubscribers(t *testing.T) {
	store, _ := s.open(t)
	const appenders, appends, subscribers = 8, 60, 4
	mustAppend(t, store, "warmup", event.NoStream(), evs(5, "Warmed")...)

	var subs []event.Subscription
	for range subscribers / 2 {
		subs = append(subs, subscribe(t, store, 0, event.Filter{}))
	}
	var wg sync.WaitGroup
	total := 5
	for a := range appenders {
		n := 0
		for i := range appends {
			n += 1 + (a+i)%3
		}
		total += n
		wg.Add(1)
		go func() {
			defer wg.Done()
			stream := fmt.Sprintf("appender-%d", a)
			for i := range appends {
				// Alternate exact-revision appends to an own stream with
				// appends to shared streams, in batches of 1 to 3.
				batch := evs(1+(a+i)%3, "WorkDone")
				var err error
				if i%2 == 0 {
					_, err = store.Append(ctxFor(t), stream, event.Any(), batch...)
				} else {
					_, err = store.Append(ctxFor(t), fmt.Sprintf("shared-%d", i%5), event.Any(), batch...)
				}
				if !assert.NoError(t, err) {
					return
				}
			}
		}()
	}
	// Half the subscribers join while the appenders run.
	for range subscribers - subscribers/2 {
		subs = append(subs, subscribe(t, store, 0, event.Filter{}))
	}

	got := make([][]event.Event, len(subs))
	var rg sync.WaitGroup
	for i, sub := range subs {
		rg.Add(1)
		go func() {
			defer rg.Done()
			got[i] = collectQuietly(sub, total)
		}()
	}
	wg.Wait()
	rg.Wait()

	all := readAll(t, store)
	require.Len(t, all, total)
	for i, g := range got {
		require.Len(t, g, total, "subscriber %d", i)
		seen := make(map[uuid.UUID]bool, total)
		for j, e := range g {
			assert.False(t, seen[e.ID], "subscriber %d saw %s twice", i, e.ID)
			seen[e.ID] = true
			if j > 0 {
				assert.Greater(t, e.Position, g[j-1].Position, "subscriber %d", i)
			}
		}
		assert.Equal(t, positions(all), positions(g), "subscriber %d sees what ReadAll sees", i)
		assert.Equal(t, all, g, "subscriber %d", i)
	}
	for _, sub := range subs {
		quiet(t, sub)
	}
}

// collectQuietly is collect for goroutines other than the test's: it returns
// what it got and lets the caller's length check fail.
func collectQuietly(sub event.Subscription, n int) []event.Event {
	ctx, cancel := context.WithTimeout(context.Background(), prompt*10)
	defer cancel()
	out := make([]event.Event, 0, n)
	for len(out) < n {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				return out
			}
			out = append(out, e.WithoutMemo()) // see collect
		case <-ctx.Done():
			return out
		}
	}
	return out
}

func (s suite) testSubscriptionEnding(t *testing.T) {
	store, _ := s.open(t)
	mustAppend(t, store, "s-1", event.NoStream(), evs(3, "Pinged")...)

	// Close: Events closes, Err is nil.
	sub := subscribe(t, store, 0, event.Filter{})
	collect(t, sub, 3)
	within(t, prompt, "Subscription.Close", func() { assert.NoError(t, sub.Close()) })
	assertEnded(t, sub, nil)
	assert.NoError(t, sub.Close(), "Close is idempotent")

	// Context cancelled while waiting live: Err is nil. From the head, not
	// from 3: positions may skip (Features.PositionGaps).
	head, err := store.Head(ctxFor(t))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	sub, err = store.Subscribe(ctx, head, event.Filter{})
	require.NoError(t, err)
	quiet(t, sub)
	cancel()
	assertEnded(t, sub, nil)

	// Context cancelled while the consumer is not reading (catch-up blocked).
	mustAppend(t, store, "s-2", event.NoStream(), evs(300, "Pinged")...)
	ctx, cancel = context.WithCancel(context.Background())
	sub, err = store.Subscribe(ctx, 0, event.Filter{})
	require.NoError(t, err)
	cancel()
	assertEnded(t, sub, nil)

	// Store closed: Err is ErrClosed.
	sub = subscribe(t, store, 0, event.Filter{})
	collect(t, sub, 1)
	within(t, prompt, "Store.Close", func() { assert.NoError(t, store.Close()) })
	assertEnded(t, sub, event.ErrClosed)
}

// assertEnded drains sub until Events closes (promptly) and checks Err.
func assertEnded(t *testing.T, sub event.Subscription, want error) {
	t.Helper()
	within(t, prompt, "ending the subscription", func() {
		for range sub.Events() {
		}
	})
	if want == nil {
		assert.NoError(t, sub.Err())
	} else {
		assert.ErrorIs(t, sub.Err(), want)
	}
}
