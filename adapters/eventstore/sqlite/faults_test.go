package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// A COMMIT that reports an error may have committed anyway. The writer must
// then keep each append's outcome from that transaction: retrying would call
// a first append a Duplicate of itself, or report it cancelled (its events
// stored) because its context ended meanwhile.
func TestCommitErrorAfterCommitKeepsResults(t *testing.T) {
	late, cancelLate := context.WithCancel(context.Background())
	defer cancelLate()
	var fail atomic.Bool
	hooks := &testHooks{afterCommit: func() error {
		if fail.Swap(false) {
			cancelLate() // the caller gives up while the commit is in doubt
			return errors.New("disk I/O error (injected after the commit)")
		}
		return nil
	}}
	s := openTest(t, Config{hooks: hooks})
	w, resumeWriter := pause(s)
	resume := sync.OnceFunc(resumeWriter)
	defer resume() // a failed check must not leave Close waiting for the writer

	ra := request(late, "a", event.NoStream(), proposed(2))
	rb := request(context.Background(), "b", event.NoStream(), proposed(1))
	rc := request(context.Background(), "a", event.NoStream(), proposed(1))
	fail.Store(true)
	w.commitGroup([]*appendRequest{ra, rb, rc})
	require.NoError(t, ra.err)
	assert.Equal(t, event.AppendResult{FirstPosition: 1, LastPosition: 2, Revision: 2}, ra.result)
	require.NoError(t, rb.err)
	assert.Equal(t, event.AppendResult{FirstPosition: 3, LastPosition: 3, Revision: 1}, rb.result)
	assert.ErrorIs(t, rc.err, event.ErrWrongRevision)

	rd := request(context.Background(), "d", event.NoStream(), proposed(1))
	fail.Store(true)
	w.commitGroup([]*appendRequest{rd})
	require.NoError(t, rd.err, "a lone append whose commit landed succeeded")
	assert.Equal(t, event.AppendResult{FirstPosition: 4, LastPosition: 4, Revision: 1}, rd.result)
	resume()

	ctx := context.Background()
	head, err := s.Head(ctx)
	require.NoError(t, err)
	assert.Equal(t, event.Position(4), head, "the landed commits are published")
	all, err := s.ReadAll(ctx, 0, 0)
	require.NoError(t, err)
	assert.Len(t, all, 4)
	res, err := s.Append(ctx, "a", event.Any(), ra.events...)
	require.NoError(t, err)
	assert.Equal(t, event.AppendResult{FirstPosition: 1, LastPosition: 2, Revision: 2, Duplicate: true}, res)
	res, err = s.Append(ctx, "a", event.Exact(2), proposed(1)...)
	require.NoError(t, err, "the revision cache agrees with the file")
	assert.Equal(t, event.AppendResult{FirstPosition: 5, LastPosition: 5, Revision: 3}, res)
}

// A merge of the id tail that fails, before or even after its COMMIT, must
// leave the writer agreeing with the file, and later merges working.
func TestFailedMergeReloadsTheIDIndex(t *testing.T) {
	for _, stage := range []string{"inserted", "committed"} {
		t.Run(stage, func(t *testing.T) {
			var failures atomic.Int32
			failing := atomic.Bool{}
			hooks := &testHooks{merge: func(at string) error {
				if at == stage && failing.Swap(false) {
					failures.Add(1)
					return errors.New("injected merge failure")
				}
				return nil
			}}
			path := filepath.Join(t.TempDir(), "events.db")
			const mergeAt = 8
			s := openTest(t, Config{Path: path, idMergeAt: mergeAt, hooks: hooks})
			ctx := context.Background()
			type appended struct {
				stream string
				events []event.Proposed
				res    event.AppendResult
			}
			var done []appended
			add := func(n int) {
				for i := range n {
					events := proposed(1 + i%3)
					stream := "m-" + events[0].ID.String()[:8]
					res, err := s.Append(ctx, stream, event.NoStream(), events...)
					require.NoError(t, err)
					done = append(done, appended{stream, events, res})
				}
			}
			add(5)
			failing.Store(true)
			add(20)
			require.Equal(t, int32(1), failures.Load(), "a merge failed")
			add(40)

			for _, a := range done {
				res, err := s.Append(ctx, a.stream, event.NoStream(), a.events...)
				require.NoError(t, err)
				a.res.Duplicate = true
				assert.Equal(t, a.res, res)
			}
			head, err := s.Head(ctx)
			require.NoError(t, err)
			require.NoError(t, s.Close())

			db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
			require.NoError(t, err)
			defer db.Close()
			var indexed, through, dupIDs int64
			require.NoError(t, db.QueryRow("SELECT count(*) FROM event_ids").Scan(&indexed))
			require.NoError(t, db.QueryRow("SELECT ids_indexed_through FROM store_state").Scan(&through))
			require.NoError(t, db.QueryRow("SELECT count(*) - count(DISTINCT id) FROM events").Scan(&dupIDs))
			assert.Zero(t, dupIDs, "no event id stored twice")
			assert.Equal(t, indexed, through, "event_ids holds exactly the ids up to ids_indexed_through")
			assert.Less(t, int64(head)-through, int64(mergeAt+3), "merges went on after the failure (head %d)", head)
		})
	}
}
