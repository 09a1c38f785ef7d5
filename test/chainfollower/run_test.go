package chainfollower_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/chain/chaintest"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

const ns = "default"

type follower struct {
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, s event.Store, c chain.Chain) *follower {
	t.Helper()
	return startWith(t, s, c, chain.RunOptions{PollInterval: 5 * time.Millisecond,
		RetryMin: 5 * time.Millisecond, RetryMax: 20 * time.Millisecond})
}

func startWith(t *testing.T, s event.Store, c chain.Chain, opts chain.RunOptions) *follower {
	t.Helper()
	f, err := chain.NewFollower(chain.Config{Namespace: ns}, c)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- chain.Run(ctx, f, s, catalogue.Default(), opts) }()
	return &follower{cancel: cancel, done: done}
}

func (f *follower) stop(t *testing.T) {
	t.Helper()
	f.cancel()
	select {
	case err := <-f.done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("follower did not stop")
	}
}

// stream reads the follower's stream: observed batch ids, removed blocks,
// and the last checkpoint.
func stream(t *testing.T, s event.Store, c chain.Chain) (observed []uuid.UUID, removed []uint64, last uint64) {
	t.Helper()
	evs, err := s.ReadStream(context.Background(), catalogue.ChainStream(ns, c.Name()), 0, 0)
	require.NoError(t, err)
	for _, ev := range evs {
		p, err := catalogue.Default().Decode(ev)
		require.NoError(t, err)
		switch v := p.(type) {
		case catalogue.PinObserved:
			observed = append(observed, v.BatchID)
		case catalogue.PinRemoved:
			removed = append(removed, v.Location.BlockNumber)
		case catalogue.ChainCheckpoint:
			last = v.BlockNumber
		}
	}
	return observed, removed, last
}

func waitCheckpoint(t *testing.T, s event.Store, c chain.Chain, block uint64) ([]uuid.UUID, []uint64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		observed, removed, last := stream(t, s, c)
		if last >= block {
			return observed, removed
		}
		if time.Now().After(deadline) {
			t.Fatalf("checkpoint %d never reached (last %d)", block, last)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFollowerRecordsResumesAndHandlesReorgs(t *testing.T) {
	s := openStore(t)
	c := chaintest.New()
	ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New(), uuid.New()}

	f := start(t, s, c)
	c.Mine(ids[0])
	waitCheckpoint(t, s, c, c.Mine(ids[1]))
	f.stop(t)

	// While stopped the chain moves on and the node is down for a while.
	c.Mine(ids[2])
	c.SetDown(true)
	f = start(t, s, c)
	time.Sleep(30 * time.Millisecond)
	c.SetDown(false)
	observed, _ := waitCheckpoint(t, s, c, 3)
	assert.Equal(t, ids[:3], observed, "nothing missed, nothing twice")

	// A reorg replaces block 3; its log is removed, the new one observed.
	c.Reorg(1)
	c.Mine(ids[3])
	next := c.Mine()
	observed, removed := waitCheckpoint(t, s, c, next)
	f.stop(t)
	assert.Equal(t, []uint64{3}, removed)
	assert.Equal(t, append(append([]uuid.UUID{}, ids[:3]...), ids[3]), observed)

	// Two followers of one stream: the second one's append is refused.
	a, b := start(t, s, c), start(t, s, c)
	c.Mine(uuid.New())
	var failed error
	select {
	case failed = <-a.done:
		b.stop(t)
	case failed = <-b.done:
		a.stop(t)
	case <-time.After(2 * time.Second):
	}
	if failed != nil {
		assert.True(t, errors.Is(failed, event.ErrWrongRevision) || errors.Is(failed, event.ErrDuplicateEventID), "%v", failed)
	} else {
		// Both computed the same events with the same ids: the store took
		// them once, idempotently. Either way nothing is recorded twice.
		a.stop(t)
		b.stop(t)
	}
	observed, _, _ = stream(t, s, c)
	seen := map[uuid.UUID]bool{}
	for _, id := range observed {
		assert.False(t, seen[id], "observed twice: %s", id)
		seen[id] = true
	}
}

// hangingChain is a node that stopped answering on a connection it keeps
// open: while hang is set, Logs returns only when its caller gives up.
type hangingChain struct {
	*chaintest.Fake
	hang atomic.Bool
	hung atomic.Int32 // calls that hung
}

func (c *hangingChain) Logs(ctx context.Context, from, to uint64) ([]chain.Log, error) {
	if c.hang.Load() {
		c.hung.Add(1)
		<-ctx.Done()
		return nil, ctx.Err()
	}
	return c.Fake.Logs(ctx, from, to)
}

func TestAStepThatNeverReturnsIsCutShort(t *testing.T) {
	s := openStore(t)
	c := &hangingChain{Fake: chaintest.New()}
	c.hang.Store(true)
	var errs atomic.Int32
	f := startWith(t, s, c, chain.RunOptions{PollInterval: 5 * time.Millisecond, RetryMin: 5 * time.Millisecond,
		RetryMax: 20 * time.Millisecond, StepTimeout: 50 * time.Millisecond,
		OnError: func(err error) {
			if assert.ErrorIs(t, err, context.DeadlineExceeded) {
				errs.Add(1)
			}
		}})
	defer f.stop(t)
	id := uuid.New()
	block := c.Mine(id)
	// Without the step timeout the first hung call would be the last.
	require.Eventually(t, func() bool { return c.hung.Load() >= 2 }, 10*time.Second, 5*time.Millisecond,
		"the follower tries again after a step timed out")
	assert.Positive(t, errs.Load(), "the timed-out step is reported")
	c.hang.Store(false)
	observed, _ := waitCheckpoint(t, s, c, block)
	assert.Equal(t, []uuid.UUID{id}, observed)
}
