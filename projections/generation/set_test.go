package generation_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/generation"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// node is a Set on a directory, as a member opens it.
type node struct {
	dir    string
	events event.Store
	comp   *component
	cfg    generation.Config
}

func newNode(t *testing.T, batches int) *node {
	t.Helper()
	dir := t.TempDir()
	events := openEvents(t, dir)
	appendLog(t, events, simulatedLog(t, 7, batches))
	comp := newComponent(dir, events)
	var names []string
	for _, p := range projections.All() {
		names = append(names, p.Name())
	}
	return &node{dir: dir, events: events, comp: comp, cfg: generation.Config{
		Pointer: filepath.Join(dir, "readmodel.db.generation"), Events: events, ReadModel: comp,
		Projectors: names, Tick: 10 * time.Millisecond, Log: zerolog.Nop()}}
}

// running opens the Set and runs it until the test ends or stop is called.
type running struct {
	set  *generation.Set
	stop func() error
}

func (n *node) run(t *testing.T) *running {
	t.Helper()
	set, err := generation.Open(context.Background(), n.cfg)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- set.Run(ctx) }()
	var once sync.Once
	var stopErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			stopErr = <-done
			if err := set.Close(); stopErr == nil {
				stopErr = err
			}
		})
		return stopErr
	}
	t.Cleanup(func() { _ = stop() })
	// The serving runner has read its checkpoints: Run runs.
	eventually(t, "Run started", func() bool { return len(set.Positions()) > 0 })
	return &running{set: set, stop: stop}
}

func (n *node) head(t *testing.T) event.Position {
	t.Helper()
	h, err := n.events.Head(context.Background())
	require.NoError(t, err)
	return h
}

// caughtUp waits until every projector of the serving generation is at head.
func caughtUp(t *testing.T, set *generation.Set, head event.Position) {
	t.Helper()
	eventually(t, "serving generation at the head", func() bool {
		pos := set.Positions()
		if len(pos) != len(projections.All()) {
			return false
		}
		for _, p := range pos {
			if p < head {
				return false
			}
		}
		return true
	})
}

func digest(t *testing.T, s projections.Store) string {
	t.Helper()
	d, err := s.Digest(context.Background())
	require.NoError(t, err)
	return d
}

func waitState(t *testing.T, set *generation.Set, want generation.State) generation.Status {
	t.Helper()
	var st generation.Status
	eventually(t, "rebuild "+string(want), func() bool {
		st = set.Status()
		if st.State == generation.StateFailed && want != generation.StateFailed {
			require.FailNow(t, "rebuild failed: "+st.Error)
		}
		return st.State == want
	})
	return st
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// TestLiveRebuildSwapsAnEqualReadModel: a rebuild while events keep coming
// and readers keep reading ends with the new generation serving, equal to
// a read model built from scratch, the old one's files gone, and no read
// failing at the swap.
func TestLiveRebuildSwapsAnEqualReadModel(t *testing.T) {
	n := newNode(t, 40)
	r := n.run(t)
	caughtUp(t, r.set, n.head(t))
	before := digest(t, r.set.Store())
	assert.Equal(t, reference(t, n.events), before, "the serving generation is the log's read model")

	_, err := r.set.Start("nope.v1")
	require.ErrorIs(t, err, generation.ErrUnknownProjection)

	someKeys := []any{uuid.New(), uuid.New()}
	var stopReads sync.WaitGroup
	readCtx, stopReading := context.WithCancel(context.Background())
	q, err := query.Parse(projections.MessagesTable.Collection(), url.Values{"count": {"true"}})
	require.NoError(t, err)
	var readErr error
	stopReads.Go(func() {
		for readCtx.Err() == nil {
			if _, _, err := r.set.Store().Find(readCtx, projections.MessagesTable, "ns", q); err != nil && readCtx.Err() == nil {
				readErr = err
				return
			}
			if _, err := r.set.Store().Digest(readCtx); err != nil && readCtx.Err() == nil {
				readErr = err
				return
			}
			// GetMany holds the generation for the whole read, as Get does.
			if _, err := r.set.Store().(projections.MultiGetter).GetMany(readCtx, projections.MessagesTable, "ns", someKeys); err != nil && readCtx.Err() == nil {
				readErr = err
				return
			}
		}
	})

	n.comp.gate.Store(uint64(n.head(t)) / 2)
	st, err := r.set.Start(projections.Messages{}.Name())
	require.NoError(t, err)
	assert.Equal(t, generation.StateRunning, st.State)
	assert.Equal(t, uint64(1), st.Generation)
	assert.Equal(t, uint64(0), st.Serving)
	_, err = r.set.Start("")
	require.ErrorIs(t, err, generation.ErrRunning, "one rebuild at a time")

	// More history while the rebuild runs: it must catch up with it too.
	appendLog(t, n.events, simulatedLog(t, 8, 10))
	n.comp.gate.Store(^uint64(0))
	st = waitState(t, r.set, generation.StateDone)
	stopReading()
	stopReads.Wait()
	require.NoError(t, readErr, "reads go on across the swap")

	head := n.head(t)
	assert.Equal(t, uint64(1), st.Serving)
	assert.Equal(t, uint64(1), r.set.Serving())
	assert.Equal(t, projections.Messages{}.Name(), st.Projection)
	assert.Positive(t, st.Position, "position reported")
	assert.Positive(t, st.Rate, "rate reported")
	caughtUp(t, r.set, head)
	assert.Equal(t, reference(t, n.events), digest(t, r.set.Store()), "the rebuilt generation equals a read model built from scratch")
	assert.False(t, exists(filepath.Join(n.dir, "readmodel.db")), "the old generation is removed")
	assert.True(t, exists(filepath.Join(n.dir, "readmodel-1.db")))
	b, err := os.ReadFile(n.cfg.Pointer)
	require.NoError(t, err)
	assert.JSONEq(t, `{"serving":1}`, string(b))

	// The new generation is the live one: later events reach it.
	appendLog(t, n.events, simulatedLog(t, 9, 5))
	caughtUp(t, r.set, n.head(t))
	require.NoError(t, r.stop())

	// And it is what the node serves after a restart.
	r = n.run(t)
	assert.Equal(t, uint64(1), r.set.Serving())
	assert.Equal(t, generation.StateIdle, r.set.Status().State)
	caughtUp(t, r.set, n.head(t))
	assert.Equal(t, reference(t, n.events), digest(t, r.set.Store()))
}

// TestInterruptedRebuildResumes: a node stopped half-way through a rebuild
// serves the old generation when it restarts, reports the rebuild as
// interrupted, and the next rebuild resumes it from its checkpoints.
func TestInterruptedRebuildResumes(t *testing.T) {
	n := newNode(t, 30)
	r := n.run(t)
	head := n.head(t)
	caughtUp(t, r.set, head)
	before := digest(t, r.set.Store())

	half := uint64(head) / 2
	n.comp.gate.Store(half)
	_, err := r.set.Start("")
	require.NoError(t, err)
	eventually(t, "half-way", func() bool { return uint64(r.set.Status().Position) >= half-100 })
	require.NoError(t, r.stop(), "stopping mid-rebuild is a clean stop")

	r = n.run(t)
	assert.Equal(t, uint64(0), r.set.Serving(), "the old generation serves")
	st := r.set.Status()
	assert.Equal(t, generation.StateInterrupted, st.State)
	assert.Equal(t, uint64(1), st.Generation)
	assert.Equal(t, before, digest(t, r.set.Store()))
	assert.True(t, exists(filepath.Join(n.dir, "readmodel-1.db")), "the partial generation is kept")

	n.comp.gate.Store(^uint64(0))
	st, err = r.set.Start("")
	require.NoError(t, err)
	assert.True(t, st.Resumed, "the rebuild resumes the partial generation")
	assert.Equal(t, uint64(1), st.Generation)
	st = waitState(t, r.set, generation.StateDone)
	assert.True(t, st.Resumed)
	assert.Equal(t, uint64(1), r.set.Serving())
	assert.Equal(t, before, digest(t, r.set.Store()), "the resumed generation equals the old one")
}

// TestBrokenPartialGenerationIsRebuiltFromZero: a partial generation that
// no longer opens is discarded, not fatal.
func TestBrokenPartialGenerationIsRebuiltFromZero(t *testing.T) {
	n := newNode(t, 10)
	one := uint64(1)
	require.NoError(t, os.WriteFile(n.cfg.Pointer, []byte(`{"serving":0,"building":1}`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(n.dir, "readmodel-1.db"), []byte("not a database, but long enough to be read as one"), 0o600))
	r := n.run(t)
	assert.Equal(t, generation.StateInterrupted, r.set.Status().State)
	st, err := r.set.Start("")
	require.NoError(t, err)
	assert.Equal(t, one, st.Generation)
	st = waitState(t, r.set, generation.StateDone)
	assert.False(t, st.Resumed, "rebuilt from position 0")
	caughtUp(t, r.set, n.head(t))
	assert.Equal(t, reference(t, n.events), digest(t, r.set.Store()))
}

// TestStartNeedsRun: Start is refused unless Run runs.
func TestStartNeedsRun(t *testing.T) {
	n := newNode(t, 2)
	set, err := generation.Open(context.Background(), n.cfg)
	require.NoError(t, err)
	defer func() { require.NoError(t, set.Close()) }()
	_, err = set.Start("")
	require.ErrorIs(t, err, generation.ErrNotRunning)
	assert.Equal(t, generation.StateIdle, set.Status().State)
}

// TestOfflineRebuild: Rebuild on a stopped node's files, interrupted
// half-way and run again, ends with the new generation recorded and equal
// to the log's read model, and never opens the old one (which may not open
// at all).
func TestOfflineRebuild(t *testing.T) {
	n := newNode(t, 30)
	require.NoError(t, os.WriteFile(filepath.Join(n.dir, "readmodel.db"), []byte("an old read model that no longer opens"), 0o600))
	head := n.head(t)

	half := uint64(head) / 2
	n.comp.gate.Store(half)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := generation.Rebuild(ctx, n.cfg, "", func(st generation.Status) {
		if uint64(st.Position) >= half-100 && st.State == generation.StateRunning {
			cancel()
		}
	})
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, generation.StateInterrupted, st.State)
	assert.True(t, exists(filepath.Join(n.dir, "readmodel.db")), "the old generation stays")

	n.comp.gate.Store(^uint64(0))
	st, err = generation.Rebuild(context.Background(), n.cfg, "", nil)
	require.NoError(t, err)
	assert.Equal(t, generation.StateDone, st.State)
	assert.True(t, st.Resumed)
	assert.Equal(t, head, st.Position)
	assert.Equal(t, uint64(1), st.Serving)
	assert.False(t, exists(filepath.Join(n.dir, "readmodel.db")), "the old generation is removed")

	r := n.run(t)
	assert.Equal(t, uint64(1), r.set.Serving())
	assert.Equal(t, reference(t, n.events), digest(t, r.set.Store()))
}

func TestCloseWaitsForReadsAndRefusesLaterOnes(t *testing.T) {
	n := newNode(t, 5)
	r := n.run(t)
	store := r.set.Store()
	// An open transaction holds the serving generation, as a read does.
	tx, err := store.Begin(context.Background())
	require.NoError(t, err)
	closed := make(chan error, 1)
	go func() { closed <- r.stop() }()
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) while a read still held the read model", err)
	case <-time.After(100 * time.Millisecond):
	}
	_, _, getErr := tx.Get(projections.MessagesTable, "ns", uuid.New())
	require.NoError(t, tx.Rollback())
	require.NoError(t, getErr, "the read in progress still works")
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return once the read ended")
	}
	_, _, err = store.Get(context.Background(), projections.MessagesTable, "ns", uuid.New())
	require.ErrorIs(t, err, generation.ErrClosed)
	_, _, err = store.Find(context.Background(), projections.MessagesTable, "ns", query.Query{})
	require.ErrorIs(t, err, generation.ErrClosed)
	_, err = store.Begin(context.Background())
	require.ErrorIs(t, err, generation.ErrClosed)
}
