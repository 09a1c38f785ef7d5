package projector_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sync/errgroup"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
	"github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/projections/search/projector"
)

// appendAll appends payloads to store, one event each, in order, and
// returns the last position.
func appendAll(t testing.TB, store event.Store, payloads []catalogue.Payload) event.Position {
	t.Helper()
	cat := catalogue.Default()
	var last event.Position
	for from := 0; from < len(payloads); from += 500 {
		var batch []event.Proposed
		for _, p := range payloads[from:min(from+500, len(payloads))] {
			proposed, err := cat.Encode(uuid.New(), p, event.Metadata{})
			require.NoError(t, err)
			batch = append(batch, proposed)
		}
		res, err := store.Append(context.Background(), "sim", event.Any(), batch...)
		require.NoError(t, err)
		last = res.LastPosition
	}
	return last
}

func openStore(t testing.TB, dir string) *sqlite.Store {
	t.Helper()
	store, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(dir, "events.db")}, zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = store.Close() })
	return store
}

// node runs the read-model projections and the search projector over a
// store until stop is called.
type node struct {
	views *projections.Runner
	index *projector.Runner
	stop  func() error
}

func runNode(t testing.TB, store event.Store, rm projections.Store, idx search.Index) *node {
	t.Helper()
	views, err := projections.NewRunner(store, rm, catalogue.Default(), projections.RunnerOptions{}, projections.All()...)
	require.NoError(t, err)
	p := projector.New(idx, rm, store, catalogue.Default(), projector.Options{Progress: views, RetryMin: time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	g, gctx := errgroup.WithContext(ctx)
	// The search projector first: it must wait for the read model, not
	// find it empty.
	g.Go(func() error { return p.Run(gctx) })
	time.Sleep(10 * time.Millisecond)
	g.Go(func() error { return views.Run(gctx) })
	n := &node{views: views, index: p, stop: func() error { cancel(); return g.Wait() }}
	t.Cleanup(func() { _ = n.stop() })
	return n
}

func waitIndexed(t testing.TB, p *projector.Runner, pos event.Position) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	require.NoError(t, p.WaitFor(ctx, pos))
}

// Run follows the store into Bleve, resumes from the checkpoint kept in
// the index after a restart, and its documents are found by their words
// and fields.
func TestRunIndexesIntoBleveAndResumes(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	payloads, ns := simulatedPayloads(t, 3, 40)
	half := len(payloads) / 2
	store := openStore(t, dir)
	rm := memstore.New()
	idx, err := bleve.Open(filepath.Join(dir, "search"), bleve.Config{})
	require.NoError(t, err)

	n := runNode(t, store, rm, idx)
	waitIndexed(t, n.index, appendAll(t, store, payloads[:half]))
	require.NoError(t, n.stop())
	cp, err := idx.Checkpoint(ctx, projector.Name)
	require.NoError(t, err)
	require.NoError(t, idx.Close())

	idx, err = bleve.Open(filepath.Join(dir, "search"), bleve.Config{})
	require.NoError(t, err)
	defer idx.Close()
	resumed, err := idx.Checkpoint(ctx, projector.Name)
	require.NoError(t, err)
	assert.Equal(t, cp, resumed)
	n = runNode(t, store, rm, idx)
	assert.Equal(t, map[string]event.Position{projector.Name: event.Position(resumed)}, waitPositions(t, n.index, event.Position(resumed)))
	head := appendAll(t, store, payloads[half:])
	waitIndexed(t, n.index, head)

	// Every data row is a document, and every decided message (a pending
	// one only if a decision of it was revoked); each state is found by
	// its field.
	messages := rowsOf(t, rm, projections.MessagesTable, ns)
	data := rowsOf(t, rm, projections.DataTable, ns)
	res, err := idx.Search(ctx, search.Request{Namespace: ns, Kind: search.Data})
	require.NoError(t, err)
	assert.Equal(t, len(data), res.Total)
	states := map[string]int{}
	for _, raw := range messages {
		var m projections.MessageDoc
		require.NoError(t, json.Unmarshal(raw, &m))
		states[m.State]++
	}
	require.Positive(t, states[projections.StateConfirmed])
	require.Positive(t, states[projections.StatePending], "the history leaves some messages undecided")
	indexed := 0
	for state, count := range states {
		res, err := idx.Search(ctx, search.Request{Namespace: ns, Kind: search.Messages, Query: "state:" + state})
		require.NoError(t, err)
		if state == projections.StatePending {
			assert.LessOrEqual(t, res.Total, count, "pending messages are indexed only after a revoked decision")
		} else {
			assert.Equal(t, count, res.Total, "state %s", state)
		}
		indexed += res.Total
	}
	res, err = idx.Search(ctx, search.Request{Namespace: ns, Kind: search.Messages})
	require.NoError(t, err)
	assert.Equal(t, indexed, res.Total)
	assert.Less(t, res.Total, len(messages), "undecided messages wait for their decision")

	// A word of a data value finds the data item and a message that uses it.
	var word, dataID string
	for id, raw := range data {
		var row struct {
			Value json.RawMessage `json:"value"`
		}
		require.NoError(t, json.Unmarshal(raw, &row))
		for _, leaf := range strings.Split(search.FlattenJSON(row.Value), "\n") {
			if strings.HasPrefix(leaf, "x") {
				word, dataID = leaf, id
			}
		}
	}
	require.NotEmpty(t, word, "the history has notes")
	// The highlights come from the read model's text (projector.Texts),
	// where Bleve's matches are.
	res, err = search.WithHighlights(idx, projector.Texts(rm)).Search(ctx,
		search.Request{Namespace: ns, Kind: search.Data, Query: word, Limit: search.MaxLimit})
	require.NoError(t, err)
	found := false
	for _, h := range res.Hits {
		require.Len(t, h.Highlights["text"], 1, "hit %s", h.ID)
		found = found || h.ID == dataID
		assert.Contains(t, h.Highlights["text"][0], "<mark>"+word+"</mark>")
	}
	assert.True(t, found, "data %s found by %q", dataID, word)
	// A message's text is its data's, one per line: the same words marked.
	res, err = search.WithHighlights(idx, projector.Texts(rm)).Search(ctx,
		search.Request{Namespace: ns, Kind: search.Messages, Query: word, Limit: search.MaxLimit})
	require.NoError(t, err)
	require.NotEmpty(t, res.Hits, "a message uses data %s", dataID)
	for _, h := range res.Hits {
		require.Len(t, h.Highlights["text"], 1, "hit %s", h.ID)
		assert.Contains(t, h.Highlights["text"][0], "<mark>"+word+"</mark>")
	}
}

func waitPositions(t testing.TB, p *projector.Runner, pos event.Position) map[string]event.Position {
	t.Helper()
	waitIndexed(t, p, pos)
	return p.Positions()
}

// A failing index is retried, not fatal; a closed one ends Run.
func TestRunRetriesAndStopsOnClose(t *testing.T) {
	dir := t.TempDir()
	payloads, _ := simulatedPayloads(t, 5, 10)
	store := openStore(t, dir)
	rm := memstore.New()
	idx := newRecordingIndex()
	idx.fail = 3
	n := runNode(t, store, rm, idx)
	waitIndexed(t, n.index, appendAll(t, store, payloads))
	idx.mu.Lock()
	assert.Zero(t, idx.fail, "the failures were met and retried")
	assert.NotEmpty(t, idx.docs)
	idx.mu.Unlock()
	require.NoError(t, n.stop())

	closed := closedIndex{newRecordingIndex()}
	views, err := projections.NewRunner(store, rm, catalogue.Default(), projections.RunnerOptions{}, projections.All()...)
	require.NoError(t, err)
	p := projector.New(closed, rm, store, catalogue.Default(), projector.Options{Progress: views})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	assert.ErrorIs(t, p.Run(ctx), search.ErrClosed)
}

// closedIndex has been closed.
type closedIndex struct{ *recordingIndex }

func (closedIndex) Checkpoint(context.Context, string) (uint64, error) { return 0, search.ErrClosed }
