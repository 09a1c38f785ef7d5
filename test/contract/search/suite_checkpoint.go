package search

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// testCheckpoint: checkpoints are per name, start at 0, may go down (a
// rebuild), are refused for malformed names and after Close, and are never
// found by a search.
func testCheckpoint(t *testing.T, e *env) {
	ctx := context.Background()
	corpus(t, e)
	pos, err := e.idx.Checkpoint(ctx, "search.v1")
	require.NoError(t, err)
	assert.Zero(t, pos, "a checkpoint never set is 0")

	require.NoError(t, e.idx.SetCheckpoint(ctx, "search.v1", 1<<40+3))
	require.NoError(t, e.idx.SetCheckpoint(ctx, "search.v2", 9))
	for name, want := range map[string]uint64{"search.v1": 1<<40 + 3, "search.v2": 9, "other": 0} {
		pos, err := e.idx.Checkpoint(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, want, pos, name)
	}
	require.NoError(t, e.idx.SetCheckpoint(ctx, "search.v1", 2))
	pos, err = e.idx.Checkpoint(ctx, "search.v1")
	require.NoError(t, err)
	assert.Equal(t, uint64(2), pos, "a checkpoint may go down")

	require.NoError(t, e.idx.Flush(ctx))
	e.expect(t, ns1, "", map[string][]string{"search": nil, "v1": nil})
	all := e.search(t, search.Request{Namespace: ns1, Limit: search.MaxLimit})
	assert.Len(t, all.Hits, all.Total, "checkpoints are no documents")
	for _, h := range all.Hits {
		_, ok := e.names[h.ID]
		assert.True(t, ok, "hit %s is a fixture", h.ID)
	}

	for _, bad := range []string{"", "Search", "a b", "a/b", string(make([]byte, 65))} {
		_, err := e.idx.Checkpoint(ctx, bad)
		assert.ErrorIs(t, err, search.ErrInvalidDocument, "%q", bad)
		assert.ErrorIs(t, e.idx.SetCheckpoint(ctx, bad, 1), search.ErrInvalidDocument, "%q", bad)
	}

	require.NoError(t, e.idx.Close())
	_, err = e.idx.Checkpoint(ctx, "search.v1")
	assert.ErrorIs(t, err, search.ErrClosed)
	assert.ErrorIs(t, e.idx.SetCheckpoint(ctx, "search.v1", 3), search.ErrClosed)
}

// testIndexWithCheckpoint: an adapter that is a search.CheckpointingIndex
// (a feature, not a requirement) writes the documents and the checkpoint
// together, writes neither for an invalid document or name, and still
// records the checkpoint when there are no documents.
func testIndexWithCheckpoint(t *testing.T, e *env) {
	ci, ok := e.idx.(search.CheckpointingIndex)
	if !ok {
		t.Skip("the adapter has no IndexWithCheckpoint")
	}
	ctx := context.Background()
	checkpoint := func() uint64 {
		pos, err := e.idx.Checkpoint(ctx, "search.v1")
		require.NoError(t, err)
		return pos
	}
	a := e.doc(ns1, search.Messages, "a", "apple words", map[string][]string{"tag": {"t"}})
	b := e.doc(ns1, search.Data, "b", "banana words", nil)
	require.NoError(t, ci.IndexWithCheckpoint(ctx, "search.v1", 7, a, b))
	assert.Equal(t, uint64(7), checkpoint())
	require.NoError(t, e.idx.Flush(ctx))
	e.expect(t, ns1, "", map[string][]string{"apple": {"a"}, "banana": {"b"}, "words": {"a", "b"}, "tag:t": {"a"}})

	bad := search.Document{Namespace: ns1, Kind: search.Messages, ID: "x", Text: "cherry"}
	cherry := e.doc(ns1, search.Messages, "c", "cherry", nil)
	assert.ErrorIs(t, ci.IndexWithCheckpoint(ctx, "search.v1", 9, cherry, bad), search.ErrInvalidDocument)
	assert.ErrorIs(t, ci.IndexWithCheckpoint(ctx, "Bad Name", 9, cherry), search.ErrInvalidDocument)
	assert.Equal(t, uint64(7), checkpoint(), "nothing written")

	require.NoError(t, ci.IndexWithCheckpoint(ctx, "search.v1", 3))
	assert.Equal(t, uint64(3), checkpoint(), "no documents: the checkpoint alone, and it may go down")
	require.NoError(t, e.idx.Flush(ctx))
	e.expect(t, ns1, "", map[string][]string{"cherry": nil, "words": {"a", "b"}})
	all := e.search(t, search.Request{Namespace: ns1, Limit: search.MaxLimit})
	assert.Equal(t, 2, all.Total, "checkpoints are no documents")

	require.NoError(t, e.idx.Close())
	assert.ErrorIs(t, ci.IndexWithCheckpoint(ctx, "search.v1", 9, cherry), search.ErrClosed)
}
