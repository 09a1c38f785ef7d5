package eventstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func (s suite) testCancelPrompt(t *testing.T) {
	store, _ := s.open(t)
	mustAppend(t, store, "c-1", event.NoStream(), evs(10, "Clicked")...)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()

	within(t, prompt, "Append with a cancelled context", func() {
		_, err := store.Append(cancelled, "c-1", event.Any(), ev("Clicked", `{}`))
		assert.ErrorIs(t, err, context.Canceled)
		_, err = store.Append(expired, "c-2", event.Any(), ev("Clicked", `{}`))
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
	within(t, prompt, "ReadAll with a cancelled context", func() {
		_, err := store.ReadAll(cancelled, 0, 0)
		assert.ErrorIs(t, err, context.Canceled)
	})
	within(t, prompt, "ReadStream with a cancelled context", func() {
		_, err := store.ReadStream(cancelled, "c-1", 0, 0)
		assert.ErrorIs(t, err, context.Canceled)
	})
	within(t, prompt, "Head with a cancelled context", func() {
		if _, err := store.Head(cancelled); err != nil {
			assert.ErrorIs(t, err, context.Canceled)
		}
	})
	within(t, prompt, "Subscribe with a cancelled context", func() {
		sub, err := store.Subscribe(cancelled, 0, event.Filter{})
		if err != nil {
			assert.ErrorIs(t, err, context.Canceled)
			return
		}
		// A store may hand back a subscription that ends at once instead.
		for range sub.Events() {
		}
		assert.NoError(t, sub.Err())
	})
	assert.Len(t, readAll(t, store), 10, "cancelled appends store nothing")
}

// testCancelTruthful races appends with tiny deadlines against a busy store:
// each must return promptly, and its answer must be true — an error means
// nothing was stored, a result means the event is there.
func (s suite) testCancelTruthful(t *testing.T) {
	store, _ := s.open(t)
	stop := make(chan struct{})
	var busy sync.WaitGroup
	for b := range 4 {
		busy.Add(1)
		go func() {
			defer busy.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, err := store.Append(context.Background(), fmt.Sprintf("busy-%d", b), event.Any(), evs(20, "Churned")...)
				if !assert.NoError(t, err) {
					return
				}
			}
		}()
	}
	type outcome struct {
		id  uuid.UUID
		err error
	}
	const n = 100
	outcomes := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%20)*100*time.Microsecond)
			defer cancel()
			e := ev("Hurried", `{}`)
			_, err := store.Append(ctx, "hurried-"+e.ID.String(), event.NoStream(), e)
			outcomes[i] = outcome{id: e.ID, err: err}
		}()
	}
	within(t, prompt*5, "appends with short deadlines", wg.Wait)
	close(stop)
	busy.Wait()

	stored := map[uuid.UUID]bool{}
	for _, e := range readAll(t, store) {
		stored[e.ID] = true
	}
	var ok, cancelled int
	for _, o := range outcomes {
		switch {
		case o.err == nil:
			ok++
			assert.True(t, stored[o.id], "an append that returned a result is stored")
		case errors.Is(o.err, context.DeadlineExceeded):
			cancelled++
			assert.False(t, stored[o.id], "an append that returned ctx.Err() stored nothing")
		default:
			t.Errorf("unexpected error: %v", o.err)
		}
	}
	t.Logf("%d appends committed, %d gave up", ok, cancelled)
}

func (s suite) testCloseAndReopen(t *testing.T) {
	if s.h.Features.NoReopen {
		t.Skip("adapter keeps nothing across Close")
	}
	store, reopen := s.open(t)
	require.NotNil(t, reopen, "Harness.New must return a reopen function")
	first := mustAppend(t, store, "r-1", event.NoStream(), evs(3, "Saved")...)
	retry := evs(2, "Saved")
	mustAppend(t, store, "r-2", event.NoStream(), retry...)
	mustAppend(t, store, "r-1", event.Exact(3), evs(2, "Saved")...)
	before := readAll(t, store)
	head, err := store.Head(ctxFor(t))
	require.NoError(t, err)
	require.NoError(t, store.Close())

	store = reopen(t)
	require.NotNil(t, store)
	t.Cleanup(func() { _ = store.Close() })
	assert.Equal(t, before, readAll(t, store), "everything survives close and reopen")
	after, err := store.Head(ctxFor(t))
	require.NoError(t, err)
	assert.Equal(t, head, after)

	res := mustAppend(t, store, "r-1", event.Exact(5), ev("Saved", `{}`))
	assert.Equal(t, event.Revision(6), res.Revision, "stream revisions continue")
	assert.Greater(t, res.FirstPosition, head, "positions continue")
	if !s.h.Features.PositionGaps {
		assert.Equal(t, head+1, res.FirstPosition)
	}
	dup, err := store.Append(ctxFor(t), "r-2", event.NoStream(), retry...)
	require.NoError(t, err, "a retry after reopening is still idempotent")
	assert.True(t, dup.Duplicate)
	_, err = store.Append(ctxFor(t), "r-1", event.NoStream(), evs(1, "Saved")...)
	assert.ErrorIs(t, err, event.ErrWrongRevision)
	assert.Equal(t, first.FirstPosition, before[0].Position)
}

func (s suite) testAfterClose(t *testing.T) {
	store, _ := s.open(t)
	mustAppend(t, store, "z-1", event.NoStream(), evs(2, "Zapped")...)

	// Appenders still running when Close is called end promptly: their last
	// append either committed or failed with ErrClosed.
	var wg sync.WaitGroup
	lastErr := make([]error, 4)
	for a := range lastErr {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if _, err := store.Append(context.Background(), fmt.Sprintf("z-run-%d", a), event.Any(), ev("Zapped", `{}`)); err != nil {
					lastErr[a] = err
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	within(t, prompt, "Close", func() { assert.NoError(t, store.Close()) })
	within(t, prompt, "appends racing Close", wg.Wait)
	for _, err := range lastErr {
		assert.ErrorIs(t, err, event.ErrClosed)
	}

	ctx := ctxFor(t)
	_, err := store.Append(ctx, "z-1", event.Any(), ev("Zapped", `{}`))
	assert.ErrorIs(t, err, event.ErrClosed, "Append")
	_, err = store.ReadStream(ctx, "z-1", 0, 0)
	assert.ErrorIs(t, err, event.ErrClosed, "ReadStream")
	_, err = store.ReadAll(ctx, 0, 0)
	assert.ErrorIs(t, err, event.ErrClosed, "ReadAll")
	_, err = store.Head(ctx)
	assert.ErrorIs(t, err, event.ErrClosed, "Head")
	_, err = store.Subscribe(ctx, 0, event.Filter{})
	assert.ErrorIs(t, err, event.ErrClosed, "Subscribe")
	assert.NoError(t, store.Close(), "Close is idempotent")
}

// testCloseRacesSubscribe: subscriptions starting, reading and closing while
// the store closes all end promptly and say why. One the store ended reports
// ErrClosed; one closed by its owner reports nil (or ErrClosed if the store
// got there first); Subscribe on a closing store fails with ErrClosed.
func (s suite) testCloseRacesSubscribe(t *testing.T) {
	store, _ := s.open(t)
	mustAppend(t, store, "cr-1", event.NoStream(), evs(50, "Raced")...)

	problems := make(chan string, 64)
	report := func(format string, args ...any) {
		select {
		case problems <- fmt.Sprintf(format, args...):
		default:
		}
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ownClose := g%2 == 0 // the others wait live until the store closes
			for i := 0; ; i++ {
				sub, err := store.Subscribe(context.Background(), event.Position(i%40), event.Filter{})
				if err != nil {
					if !errors.Is(err, event.ErrClosed) {
						report("Subscribe: %v", err)
					}
					return
				}
				var last event.Position
				n := 0
				for e := range sub.Events() {
					if e.Position <= last {
						report("position %d after %d", e.Position, last)
					}
					last = e.Position
					if n++; ownClose && n == 5 {
						_ = sub.Close()
					}
				}
				err = sub.Err()
				switch {
				case ownClose && err != nil && !errors.Is(err, event.ErrClosed):
					report("closed subscription: Err %v", err)
				case !ownClose && !errors.Is(err, event.ErrClosed):
					report("subscription ended by the store: Err %v, want ErrClosed", err)
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // live events while it all happens
		defer wg.Done()
		for {
			if _, err := store.Append(context.Background(), "cr-2", event.Any(), ev("Raced", `{}`)); err != nil {
				if !errors.Is(err, event.ErrClosed) {
					report("Append: %v", err)
				}
				return
			}
		}
	}()
	time.Sleep(30 * time.Millisecond)
	within(t, prompt, "Close with subscriptions starting and ending", func() { assert.NoError(t, store.Close()) })
	within(t, prompt, "subscribers racing Close", wg.Wait)
	close(problems)
	for p := range problems {
		t.Error(p)
	}
}
