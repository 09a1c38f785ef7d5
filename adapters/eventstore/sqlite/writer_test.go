package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func openTest(t *testing.T, cfg Config) *Store {
	t.Helper()
	if cfg.Path == "" {
		cfg.Path = filepath.Join(t.TempDir(), "events.db")
	}
	s, err := Open(context.Background(), cfg, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func proposed(n int) []event.Proposed {
	out := make([]event.Proposed, n)
	for i := range out {
		out[i] = event.Proposed{ID: uuid.New(), Type: "Tested", Version: 1, Data: []byte(`{"i":1}`)}
	}
	return out
}

// pause stops the writer goroutine so a test can drive the writer by hand
// from its own goroutine; resume hands it back to a new goroutine.
func pause(s *Store) (w *writer, resume func()) {
	w = s.writer
	w.stop()
	w.quit, w.stopped, w.stopOnce = make(chan struct{}), make(chan struct{}), sync.Once{}
	return w, func() { go w.run() }
}

func request(ctx context.Context, stream string, exp event.ExpectedRevision, events []event.Proposed) *appendRequest {
	return newAppendRequest(ctx, stream, exp, events)
}

func TestGroupCommitIsOneTransactionPerGroup(t *testing.T) {
	s := openTest(t, Config{MaxBatch: 10})
	w, resume := pause(s)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	reqs := []*appendRequest{
		request(context.Background(), "a", event.NoStream(), proposed(3)),
		request(context.Background(), "a", event.NoStream(), proposed(1)), // fails alone: a exists by then
		request(cancelled, "c", event.NoStream(), proposed(1)),            // cancelled before its turn
		request(context.Background(), "b", event.Any(), proposed(3)),
		request(context.Background(), "d", event.Any(), proposed(4)), // would exceed MaxBatch: next group
	}
	for _, r := range reqs {
		w.queue <- r
	}
	group := w.collect()
	require.Len(t, group, 4, "MaxBatch bounds the group by events")
	require.Same(t, reqs[4], w.carry)
	w.commitGroup(group)

	require.NoError(t, reqs[0].err)
	assert.Equal(t, event.AppendResult{FirstPosition: 1, LastPosition: 3, Revision: 3}, reqs[0].result)
	assert.ErrorIs(t, reqs[1].err, event.ErrWrongRevision)
	assert.ErrorIs(t, reqs[2].err, context.Canceled)
	require.NoError(t, reqs[3].err)
	assert.Equal(t, event.AppendResult{FirstPosition: 4, LastPosition: 6, Revision: 3}, reqs[3].result)

	group = w.collect()
	require.Equal(t, []*appendRequest{reqs[4]}, group)
	w.commitGroup(group)
	require.NoError(t, reqs[4].err)
	resume()

	all, err := s.ReadAll(context.Background(), 0, 0)
	require.NoError(t, err)
	require.Len(t, all, 10)
	for _, e := range all[:6] {
		assert.Equal(t, all[0].Recorded, e.Recorded, "one group, one transaction, one recorded time")
	}
	assert.False(t, all[6].Recorded.Before(all[5].Recorded))
}

func TestFailedTransactionIsRetriedAppendByAppend(t *testing.T) {
	s := openTest(t, Config{})
	_, err := s.Append(context.Background(), "a", event.NoStream(), proposed(3)...)
	require.NoError(t, err)
	w, resume := pause(s)

	// A stale cached revision makes the group's insert hit UNIQUE(stream,
	// revision): the whole transaction fails, the writer reloads its state
	// and commits each append on its own.
	w.revisions.m["a"] = 1
	ra := request(context.Background(), "a", event.Any(), proposed(1))
	rb := request(context.Background(), "b", event.NoStream(), proposed(2))
	w.commitGroup([]*appendRequest{ra, rb})
	resume()

	require.NoError(t, ra.err)
	require.NoError(t, rb.err)
	assert.Equal(t, event.Revision(4), ra.result.Revision)
	assert.Equal(t, event.Position(4), ra.result.FirstPosition)
	assert.Equal(t, event.AppendResult{FirstPosition: 5, LastPosition: 6, Revision: 2}, rb.result)
	head, err := s.Head(context.Background())
	require.NoError(t, err)
	assert.Equal(t, event.Position(6), head)
}

func TestIDIndexMergesAndSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "events.db")
	cfg := Config{Path: path, idMergeAt: 8}
	s := openTest(t, cfg)
	ctx := context.Background()
	var batches [][]event.Proposed
	for i := range 12 {
		b := proposed(1 + i%4)
		batches = append(batches, b)
		_, err := s.Append(ctx, "s-"+uuid.NewString()[:8], event.Any(), b...)
		require.NoError(t, err)
	}
	retry := func(s *Store) {
		t.Helper()
		all, err := s.ReadAll(ctx, 0, 0)
		require.NoError(t, err)
		byID := map[uuid.UUID]event.Event{}
		for _, e := range all {
			byID[e.ID] = e
		}
		for _, b := range batches {
			stream := byID[b[0].ID].Stream
			res, err := s.Append(ctx, stream, event.NoStream(), b...)
			require.NoError(t, err)
			assert.True(t, res.Duplicate)
			assert.Equal(t, byID[b[0].ID].Position, res.FirstPosition)
			assert.Equal(t, byID[b[len(b)-1].ID].Revision, res.Revision)
		}
		changed := batches[0][0]
		changed.Data = []byte(`{"i":2}`)
		_, err = s.Append(ctx, "elsewhere", event.Any(), changed)
		assert.ErrorIs(t, err, event.ErrDuplicateEventID)
		mixed := append([]event.Proposed{batches[1][0]}, proposed(1)...)
		_, err = s.Append(ctx, byID[batches[1][0].ID].Stream, event.Any(), mixed...)
		assert.ErrorIs(t, err, event.ErrDuplicateEventID)
	}
	retry(s)
	require.NoError(t, s.Close())

	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	require.NoError(t, err)
	var indexed, through int64
	require.NoError(t, db.QueryRow("SELECT count(*) FROM event_ids").Scan(&indexed))
	require.NoError(t, db.QueryRow("SELECT ids_indexed_through FROM store_state").Scan(&through))
	require.NoError(t, db.Close())
	assert.Equal(t, indexed, through, "event_ids holds exactly the ids up to ids_indexed_through")
	assert.GreaterOrEqual(t, indexed, int64(8), "the tail was merged")

	s = openTest(t, cfg)
	retry(s)
}

func TestMigrationsAreRecordedOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir with space#and?marks", "events.db")
	s := openTest(t, Config{Path: path})
	require.NoError(t, s.Close())
	s = openTest(t, Config{Path: path})
	require.NoError(t, s.Close())

	db, err := sql.Open("sqlite", dsn(Config{Path: path, Synchronous: SynchronousNormal}, false))
	require.NoError(t, err)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow("SELECT count(*) FROM schema_version").Scan(&n))
	all, err := migrations()
	require.NoError(t, err)
	assert.Equal(t, len(all), n)

	_, err = db.Exec("INSERT INTO schema_version (version, name, applied) VALUES (999, 'future.sql', 0)")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = Open(context.Background(), Config{Path: path}, zerolog.Nop())
	assert.ErrorContains(t, err, "newer than this binary")
}
