package chain_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/chain/chaintest"
)

func newFollower(t *testing.T, c chain.Chain, cfg chain.Config) *chain.Follower {
	t.Helper()
	cfg.Namespace = "default"
	f, err := chain.NewFollower(cfg, c)
	require.NoError(t, err)
	return f
}

// drain steps until the follower has nothing more to do, returning all it
// emitted, and checks every event validates.
func drain(t *testing.T, f *chain.Follower) ([]catalogue.Payload, []*chain.Reorg) {
	t.Helper()
	var all []catalogue.Payload
	var reorgs []*chain.Reorg
	for range 100 {
		events, more, reorg, err := f.Step(context.Background())
		require.NoError(t, err)
		for _, e := range events {
			require.NoError(t, e.Validate(), "%s", e.EventType())
		}
		all = append(all, events...)
		if reorg != nil {
			reorgs = append(reorgs, reorg)
		}
		if !more {
			return all, reorgs
		}
	}
	t.Fatal("the follower never settles")
	return nil, nil
}

func observed(events []catalogue.Payload) []uuid.UUID {
	var ids []uuid.UUID
	for _, e := range events {
		if p, ok := e.(catalogue.PinObserved); ok {
			ids = append(ids, p.BatchID)
		}
	}
	return ids
}

func removed(events []catalogue.Payload) []uint64 {
	var blocks []uint64
	for _, e := range events {
		if p, ok := e.(catalogue.PinRemoved); ok {
			blocks = append(blocks, p.Location.BlockNumber)
		}
	}
	return blocks
}

func TestLogsAreObservedInOrderOnceConfirmed(t *testing.T) {
	c := chaintest.New()
	f := newFollower(t, c, chain.Config{Confirmations: 2})
	a, b, d := uuid.New(), uuid.New(), uuid.New()
	c.Mine(a, b)
	events, _ := drain(t, f)
	assert.Empty(t, observed(events), "one block is not two confirmations")
	c.Mine(d)
	c.Mine()
	events, _ = drain(t, f)
	assert.Equal(t, []uuid.UUID{a, b}, observed(events))
	c.Mine()
	events, _ = drain(t, f)
	assert.Equal(t, []uuid.UUID{d}, observed(events))
	last := events[len(events)-1].(catalogue.ChainCheckpoint)
	assert.Equal(t, uint64(2), last.BlockNumber)
}

func TestRestoredFollowerResumesWithoutGapOrRepeat(t *testing.T) {
	c := chaintest.New()
	f := newFollower(t, c, chain.Config{})
	var all []catalogue.Payload
	ids := []uuid.UUID{uuid.New(), uuid.New(), uuid.New()}
	c.Mine(ids[0])
	events, _ := drain(t, f)
	all = append(all, events...)

	// A new process: restore from the events, then go on.
	g := newFollower(t, c, chain.Config{})
	for _, e := range all {
		g.Restore(e)
	}
	assert.Equal(t, f.Next(), g.Next())
	c.Mine(ids[1])
	c.Mine(ids[2])
	events, _ = drain(t, g)
	assert.Equal(t, ids[1:], observed(events))
}

func TestReorgRemovesNewestFirstThenObservesTheNewChain(t *testing.T) {
	c := chaintest.New()
	f := newFollower(t, c, chain.Config{})
	keep, gone1, gone2, fresh := uuid.New(), uuid.New(), uuid.New(), uuid.New()
	c.Mine(keep)
	c.Mine(gone1)
	c.Mine(gone2)
	events, _ := drain(t, f)
	require.Equal(t, []uuid.UUID{keep, gone1, gone2}, observed(events))

	c.Reorg(2)
	c.Mine(fresh)
	c.Mine()
	events, reorgs := drain(t, f)
	require.Len(t, reorgs, 1)
	assert.Equal(t, uint64(1), reorgs[0].Ancestor)
	assert.Equal(t, 2, reorgs[0].Removed)
	assert.False(t, reorgs[0].BeyondWindow)
	assert.Equal(t, []uint64{3, 2}, removed(events), "newest first")
	assert.Equal(t, []uuid.UUID{fresh}, observed(events))

	// The same story from the events alone.
	g := newFollower(t, c, chain.Config{})
	for _, e := range events {
		g.Restore(e)
	}
	assert.Equal(t, f.Next(), g.Next())
}

func TestReorgBeyondTheWindowStartsOverBelowIt(t *testing.T) {
	c := chaintest.New()
	f := newFollower(t, c, chain.Config{Window: 2})
	for range 6 {
		c.Mine(uuid.New())
	}
	drain(t, f)
	c.Reorg(5)
	c.Mine(uuid.New())
	events, reorgs := drain(t, f)
	require.Len(t, reorgs, 1)
	assert.True(t, reorgs[0].BeyondWindow)
	assert.NotEmpty(t, removed(events))
	assert.Len(t, observed(events), 1)
}

func TestNodeDownChangesNothing(t *testing.T) {
	c := chaintest.New()
	f := newFollower(t, c, chain.Config{})
	id := uuid.New()
	c.Mine(id)
	c.SetDown(true)
	_, _, _, err := f.Step(context.Background())
	require.Error(t, err)
	assert.Equal(t, uint64(0), f.Next())
	c.SetDown(false)
	events, _ := drain(t, f)
	assert.Equal(t, []uuid.UUID{id}, observed(events))
}

func TestReorgRacingTheReadEmitsNothingAndRetries(t *testing.T) {
	c := chaintest.New()
	f := newFollower(t, c, chain.Config{})
	id := uuid.New()
	c.Mine(uuid.New())
	calls := 0
	c.OnHeader = func(uint64) {
		calls++
		if calls == 2 { // between the two reads of the range's last header
			c.Reorg(1)
			c.Mine(id)
		}
	}
	events, more, _, err := f.Step(context.Background())
	require.NoError(t, err)
	assert.Empty(t, events)
	assert.True(t, more)
	c.OnHeader = nil
	events, _ = drain(t, f)
	assert.Equal(t, []uuid.UUID{id}, observed(events))
}
