package kurrentdb_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/kurrentdb"
	"github.com/ledgermirror/ledgermirror/adapters/eventstore/kurrentdb/kdbfake"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// These run on kdbfake: they check the store's own logic, not KurrentDB.

func openOn(t *testing.T, url, prefix string) *kurrentdb.Store {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, err := kurrentdb.Open(ctx, kurrentdb.Config{URL: url, StreamPrefix: prefix, ReadPageSize: 2}, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func proposed(n int) []event.Proposed {
	out := make([]event.Proposed, n)
	for i := range out {
		out[i] = event.Proposed{ID: uuid.New(), Type: "ThingHappened", Version: 1, Data: []byte(`{}`)}
	}
	return out
}

// TestPrefixesIsolateStores: two stores on one server, pages smaller than
// what lies between their events; each reads only its own, and the id
// claims appear in neither.
func TestPrefixesIsolateStores(t *testing.T) {
	fake, err := kdbfake.Start()
	require.NoError(t, err)
	t.Cleanup(fake.Stop)
	a, b := openOn(t, fake.URL(), "a/"), openOn(t, fake.URL(), "b/")
	ctx := context.Background()

	var mine []event.Proposed
	for range 3 {
		p := proposed(2)
		mine = append(mine, p...)
		_, err := a.Append(ctx, "thing-1", event.Any(), p...)
		require.NoError(t, err)
		_, err = b.Append(ctx, "thing-1", event.Any(), proposed(3)...)
		require.NoError(t, err)
	}
	got, err := a.ReadAll(ctx, 0, 100)
	require.NoError(t, err)
	require.Len(t, got, len(mine))
	for i, e := range got {
		assert.Equal(t, mine[i].ID, e.ID)
		assert.Equal(t, "thing-1", e.Stream)
	}
	head, err := a.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, got[len(got)-1].Position, head)

	// The same id in b is b's business: the stores' claims are apart too.
	_, err = b.Append(ctx, "thing-2", event.NoStream(), mine[0])
	assert.NoError(t, err)
}

// TestSubscribeFromOtherStreamsPosition: a subscription from a position
// that is not an event of the store (here: the last record of another
// store) gets what comes after it and nothing before.
func TestSubscribeFromOtherStreamsPosition(t *testing.T) {
	fake, err := kdbfake.Start()
	require.NoError(t, err)
	t.Cleanup(fake.Stop)
	a, b := openOn(t, fake.URL(), "a/"), openOn(t, fake.URL(), "b/")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err = a.Append(ctx, "x", event.NoStream(), proposed(2)...)
	require.NoError(t, err)
	res, err := b.Append(ctx, "y", event.NoStream(), proposed(1)...)
	require.NoError(t, err)
	later, err := a.Append(ctx, "x", event.Exact(2), proposed(1)...)
	require.NoError(t, err)

	sub, err := a.Subscribe(ctx, res.LastPosition, event.Filter{})
	require.NoError(t, err)
	defer func() { _ = sub.Close() }()
	select {
	case e := <-sub.Events():
		assert.Equal(t, later.FirstPosition, e.Position)
		assert.Equal(t, event.Revision(3), e.Revision)
	case <-ctx.Done():
		t.Fatal("no event")
	}
}
