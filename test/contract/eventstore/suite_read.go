package eventstore

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// interleave appends to three streams in turns and returns what ReadAll sees.
func interleave(t *testing.T, store event.Store, rounds int) []event.Event {
	t.Helper()
	for i := range rounds {
		for _, stream := range []string{"alpha", "beta", "gamma"} {
			mustAppend(t, store, stream, event.Any(), evs(1+i%2, "StepTaken")...)
		}
	}
	return readAll(t, store)
}

func (s suite) testReadStream(t *testing.T) {
	store, _ := s.open(t)
	interleave(t, store, 4) // alpha gets 1+2+1+2 = 6 events

	all, err := store.ReadStream(ctxFor(t), "alpha", 0, 0)
	require.NoError(t, err)
	require.Len(t, all, 6)
	for i, e := range all {
		assert.Equal(t, "alpha", e.Stream)
		assert.Equal(t, event.Revision(i+1), e.Revision)
		if i > 0 {
			assert.Greater(t, e.Position, all[i-1].Position, "revision order is position order")
		}
	}
	page, err := store.ReadStream(ctxFor(t), "alpha", 2, 3)
	require.NoError(t, err)
	assert.Equal(t, all[2:5], page, "after 2, limit 3")
	page, err = store.ReadStream(ctxFor(t), "alpha", 5, 10)
	require.NoError(t, err)
	assert.Equal(t, all[5:], page)
	page, err = store.ReadStream(ctxFor(t), "alpha", 6, 0)
	require.NoError(t, err)
	assert.Empty(t, page)
	page, err = store.ReadStream(ctxFor(t), "alpha", 0, -1)
	require.NoError(t, err)
	assert.Len(t, page, 6, "a negative limit means no limit")
	page, err = store.ReadStream(ctxFor(t), "no-such-stream", 0, 0)
	require.NoError(t, err)
	assert.Empty(t, page)
}

func (s suite) testReadAll(t *testing.T) {
	store, _ := s.open(t)
	all := interleave(t, store, 10) // 45 events
	require.Len(t, all, 45)
	revisions := map[string]event.Revision{}
	for i, e := range all {
		if i > 0 {
			assert.Greater(t, e.Position, all[i-1].Position)
		} else {
			assert.Positive(t, e.Position)
		}
		if !s.h.Features.PositionGaps {
			assert.Equal(t, event.Position(i+1), e.Position)
		}
		revisions[e.Stream]++
		assert.Equal(t, revisions[e.Stream], e.Revision, "streams advance one revision at a time in global order")
	}
	page, err := store.ReadAll(ctxFor(t), all[9].Position, 5)
	require.NoError(t, err)
	assert.Equal(t, all[10:15], page)
	page, err = store.ReadAll(ctxFor(t), all[44].Position, 5)
	require.NoError(t, err)
	assert.Empty(t, page)
	page, err = store.ReadAll(ctxFor(t), 0, 0)
	require.NoError(t, err)
	require.NotEmpty(t, page, "limit 0 reads the adapter's default page")
	assert.Equal(t, all[:len(page)], page)
	page, err = store.ReadAll(ctxFor(t), all[44].Position+1000, 10)
	require.NoError(t, err)
	assert.Empty(t, page, "after beyond the head")
}

func (s suite) testHead(t *testing.T) {
	store, _ := s.open(t)
	head, err := store.Head(ctxFor(t))
	require.NoError(t, err)
	assert.Zero(t, head, "an empty store's head is 0")
	res := mustAppend(t, store, "h-1", event.NoStream(), evs(3, "Ticked")...)
	head, err = store.Head(ctxFor(t))
	require.NoError(t, err)
	assert.Equal(t, res.LastPosition, head)
	mustAppend(t, store, "h-2", event.NoStream(), evs(2, "Ticked")...)
	head, err = store.Head(ctxFor(t))
	require.NoError(t, err)
	all := readAll(t, store)
	assert.Equal(t, all[len(all)-1].Position, head)
}

func (s suite) testMetadataAndRecorded(t *testing.T) {
	store, _ := s.open(t)
	metas := []event.Metadata{
		{},
		{CorrelationID: "c0ffee00-0000-4000-8000-000000000001", CausationID: "cause-1", Node: "did:lm:org/org1/node1", Namespace: "default"},
		{Node: "did:lm:org/org2/node1"},
		{CorrelationID: `quote " backslash \ newline` + "\n" + `tab` + "\t", Namespace: "ünïcödé ✓ <&>"},
	}
	in := make([]event.Proposed, len(metas))
	for i, m := range metas {
		in[i] = ev("NoteTaken", `{}`)
		in[i].Metadata = m
	}
	before := time.Now().UTC()
	mustAppend(t, store, "notes", event.NoStream(), in...)
	after := time.Now().UTC()

	got, err := store.ReadStream(ctxFor(t), "notes", 0, 0)
	require.NoError(t, err)
	require.Len(t, got, len(metas))
	for i, e := range got {
		assert.Equal(t, metas[i], e.Metadata, "metadata %d round-trips", i)
		assert.False(t, e.Recorded.IsZero())
		assert.Equal(t, time.UTC, e.Recorded.Location(), "recorded time is UTC")
		// Stores may truncate to their clock's resolution (microseconds at worst).
		assert.False(t, e.Recorded.Before(before.Truncate(time.Millisecond)), "recorded %s before the append began at %s", e.Recorded, before)
		assert.False(t, e.Recorded.After(after.Add(time.Millisecond)), "recorded %s after the append returned at %s", e.Recorded, after)
	}
	assert.Equal(t, "NoteTaken.v1", got[0].TypeVersion())
}

// testHugeLimit: a limit is what the caller allows, not what the store holds;
// the largest one must not make a store reserve memory for it (or panic).
func (s suite) testHugeLimit(t *testing.T) {
	store, _ := s.open(t)
	all := interleave(t, store, 2) // 9 events
	page, err := store.ReadAll(ctxFor(t), 0, math.MaxInt)
	require.NoError(t, err)
	assert.Equal(t, all, page)
	page, err = store.ReadStream(ctxFor(t), "alpha", 0, math.MaxInt)
	require.NoError(t, err)
	assert.Len(t, page, 3)
	page, err = store.ReadAll(ctxFor(t), math.MaxUint64, math.MaxInt)
	require.NoError(t, err)
	assert.Empty(t, page, "after the largest position")
}
