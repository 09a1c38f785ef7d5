//go:build integration

package postgres

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

func testLog(t *testing.T) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
}

func openTest(t *testing.T, cfg Config) *Store {
	t.Helper()
	s, err := Open(context.Background(), cfg, testLog(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func proposed(n int) []event.Proposed {
	out := make([]event.Proposed, n)
	for i := range out {
		out[i] = event.Proposed{ID: uuid.New(), Type: "Shared", Version: 1, Data: []byte(fmt.Sprintf(`{"n":%d}`, i))}
	}
	return out
}

// TestStoresShareASchema: two Stores on one schema, as two instances of one
// member would be. A subscription on one hears the other's commits through
// LISTEN/NOTIFY (the poll interval is far too long to be what delivers
// them); expected revisions and idempotency hold across them; and appends
// racing on one stream from both end with one contiguous stream.
func TestStoresShareASchema(t *testing.T) {
	url, schema := pgtest.Schema(t)
	cfg := Config{URL: url, Schema: schema, PollInterval: time.Hour}
	a, b := openTest(t, cfg), openTest(t, cfg)
	ctx := context.Background()

	sub, err := a.Subscribe(ctx, 0, event.Filter{})
	require.NoError(t, err)
	defer sub.Close()
	time.Sleep(50 * time.Millisecond) // let it go live, waiting
	in := proposed(3)
	res, err := b.Append(ctx, "shared-1", event.NoStream(), in...)
	require.NoError(t, err)
	for i := range in {
		select {
		case e := <-sub.Events():
			assert.Equal(t, in[i].ID, e.ID)
		case <-time.After(2 * time.Second):
			t.Fatalf("event %d appended through another Store did not arrive", i)
		}
	}

	dup, err := a.Append(ctx, "shared-1", event.NoStream(), in...)
	require.NoError(t, err)
	assert.True(t, dup.Duplicate, "idempotency spans Stores")
	assert.Equal(t, res, event.AppendResult{FirstPosition: dup.FirstPosition, LastPosition: dup.LastPosition, Revision: dup.Revision})
	_, err = a.Append(ctx, "shared-1", event.Exact(2), proposed(1)...)
	assert.ErrorIs(t, err, event.ErrWrongRevision)

	// Optimistic concurrency across Stores: each appender reads the
	// revision, appends with Exact, and retries on ErrWrongRevision.
	var wg sync.WaitGroup
	const perStore = 25
	for _, s := range []*Store{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range perStore {
				for {
					evs, err := s.ReadStream(ctx, "contended", 0, 0)
					if !assert.NoError(t, err) {
						return
					}
					_, err = s.Append(ctx, "contended", event.Exact(event.Revision(len(evs))), proposed(1)...)
					if err == nil {
						break
					}
					if !assert.ErrorIs(t, err, event.ErrWrongRevision) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	got, err := b.ReadStream(ctx, "contended", 0, 0)
	require.NoError(t, err)
	require.Len(t, got, 2*perStore)
	for i, e := range got {
		assert.Equal(t, event.Revision(i+1), e.Revision)
	}
	all, err := a.ReadAll(ctx, 0, 0)
	require.NoError(t, err)
	for i, e := range all {
		assert.Equal(t, event.Position(i+1), e.Position, "positions stay contiguous across Stores")
	}
	head, err := b.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, event.Position(len(all)), head)
}

// TestMigrations: Stores opening a new schema at once migrate it once; a
// schema from a newer binary is refused.
func TestMigrations(t *testing.T) {
	url, schema := pgtest.Schema(t)
	cfg := Config{URL: url, Schema: schema}
	var wg sync.WaitGroup
	errs := make([]error, 4)
	stores := make([]*Store, 4)
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			stores[i], errs[i] = Open(context.Background(), cfg, testLog(t))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		require.NoError(t, err)
		defer stores[i].Close()
	}
	all, err := migrations()
	require.NoError(t, err)
	var n, version int
	require.NoError(t, stores[0].pool.QueryRow(context.Background(),
		"SELECT count(*), max(version) FROM schema_migrations").Scan(&n, &version))
	assert.Equal(t, len(all), n, "each migration applied once")
	assert.Equal(t, len(all), version)

	_, err = stores[0].pool.Exec(context.Background(), "INSERT INTO schema_migrations (version, name) VALUES (999, '0999_future.sql')")
	require.NoError(t, err)
	_, err = Open(context.Background(), cfg, testLog(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "newer than this binary")
}

func TestOpenUnreachable(t *testing.T) {
	_, err := Open(context.Background(), Config{URL: "postgres://nobody@127.0.0.1:1/none?sslmode=disable", ConnectTimeout: time.Second}, testLog(t))
	require.Error(t, err)
}
