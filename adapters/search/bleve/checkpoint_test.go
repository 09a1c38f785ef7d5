package bleve_test

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// The checkpoint is kept in the index directory with the documents.
func TestCheckpointSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	idx, err := bleve.Open(dir, bleve.Config{})
	require.NoError(t, err)
	require.NoError(t, idx.Index(ctx, search.Document{Namespace: "ns1", Kind: search.Data, ID: docID, Text: "kept"}))
	require.NoError(t, idx.SetCheckpoint(ctx, "search.v1", 12345))
	require.NoError(t, idx.Close())

	idx, err = bleve.Open(dir, bleve.Config{})
	require.NoError(t, err)
	defer idx.Close()
	pos, err := idx.Checkpoint(ctx, "search.v1")
	require.NoError(t, err)
	assert.Equal(t, uint64(12345), pos)
	res, err := idx.Search(ctx, search.Request{Namespace: "ns1", Query: "kept"})
	require.NoError(t, err)
	assert.Equal(t, 1, res.Total)
}

// IndexWithCheckpoint spread over several Bleve batches writes every
// document and, with the last batch, the checkpoint, which survives a
// reopen.
func TestIndexWithCheckpointOverSeveralBatches(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	idx, err := bleve.Open(dir, bleve.Config{BatchSize: 2})
	require.NoError(t, err)
	docs := make([]search.Document, 5)
	for i := range docs {
		docs[i] = search.Document{Namespace: "ns1", Kind: search.Data, ID: uuid.NewSHA1(uuid.Nil, []byte{byte(i)}).String(), Text: "kept"}
	}
	require.NoError(t, idx.IndexWithCheckpoint(ctx, "search.v1", 77, docs...))
	require.NoError(t, idx.Close())

	idx, err = bleve.Open(dir, bleve.Config{BatchSize: 2})
	require.NoError(t, err)
	defer idx.Close()
	pos, err := idx.Checkpoint(ctx, "search.v1")
	require.NoError(t, err)
	assert.Equal(t, uint64(77), pos)
	res, err := idx.Search(ctx, search.Request{Namespace: "ns1", Query: "kept"})
	require.NoError(t, err)
	assert.Equal(t, len(docs), res.Total)
}
