package bleve_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

const docID = "0a2a6b2e-4f3c-4c8e-9a35-0a6c1f0b9d01"

func TestReopenKeepsDocuments(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	idx, err := bleve.Open(dir, bleve.Config{})
	require.NoError(t, err)
	require.NoError(t, idx.Index(ctx, search.Document{
		Namespace: "ns1", Kind: search.Data, ID: docID, Text: "persisted words",
		Fields: map[string][]string{"datatype": {"order/1"}},
	}))
	require.NoError(t, idx.Close())

	idx, err = bleve.Open(dir, bleve.Config{})
	require.NoError(t, err)
	defer idx.Close()
	res, err := idx.Search(ctx, search.Request{Namespace: "ns1", Query: "persisted datatype:order/1"})
	require.NoError(t, err)
	require.Len(t, res.Hits, 1)
	assert.Equal(t, search.Hit{Kind: search.Data, ID: docID, Score: res.Hits[0].Score,
		Matches: []search.Span{{Start: 0, End: len("persisted")}}}, res.Hits[0])
}

// TestOpenRemovesOlderMappingVersions: an index of an earlier mapping is
// never read again (the projector fills this version's from the log), so
// Open deletes it; a newer one (a binary rolled back) and other files stay.
func TestOpenRemovesOlderMappingVersions(t *testing.T) {
	dir := t.TempDir()
	older := filepath.Join(dir, fmt.Sprintf("bleve-v%d", bleve.MappingVersion-1))
	newer := filepath.Join(dir, fmt.Sprintf("bleve-v%d", bleve.MappingVersion+1))
	other := filepath.Join(dir, "bleve-vx")
	for _, d := range []string{older, newer, other} {
		require.NoError(t, os.MkdirAll(filepath.Join(d, "store"), 0o700))
	}
	idx, err := bleve.Open(dir, bleve.Config{})
	require.NoError(t, err)
	require.NoError(t, idx.Close())
	assert.NoDirExists(t, older)
	assert.DirExists(t, newer)
	assert.DirExists(t, other)
	assert.DirExists(t, filepath.Join(dir, fmt.Sprintf("bleve-v%d", bleve.MappingVersion)))
}

func TestOpenWaitsForTheLock(t *testing.T) {
	dir := t.TempDir()
	idx, err := bleve.Open(dir, bleve.Config{})
	require.NoError(t, err)
	defer idx.Close()
	start := time.Now()
	_, err = bleve.Open(dir, bleve.Config{OpenTimeout: 200 * time.Millisecond})
	require.Error(t, err, "a second open of the same index fails")
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestConfig(t *testing.T) {
	var c bleve.Config
	c.SetDefaults()
	require.NoError(t, c.Validate())
	assert.Equal(t, bleve.DefaultBatchSize, c.BatchSize)
	assert.Error(t, bleve.Config{BatchSize: -1, OpenTimeout: time.Second}.Validate())
	assert.Error(t, bleve.Config{BatchSize: 1, OpenTimeout: -time.Second}.Validate())
	_, err := bleve.Open(t.TempDir(), bleve.Config{BatchSize: -1})
	assert.Error(t, err)
}

// Small batches: a call of many documents is split, all of it searchable.
func TestSmallBatches(t *testing.T) {
	ctx := context.Background()
	idx, err := bleve.Open(t.TempDir(), bleve.Config{BatchSize: 3})
	require.NoError(t, err)
	defer idx.Close()
	docs := corpus(10)
	require.NoError(t, idx.Index(ctx, docs...))
	res, err := idx.Search(ctx, search.Request{Namespace: benchNS})
	require.NoError(t, err)
	assert.Equal(t, 10, res.Total)
	ids := make([]string, len(docs))
	for i, d := range docs {
		ids[i] = d.ID
	}
	require.NoError(t, idx.Delete(ctx, benchNS, search.Messages, ids...))
	require.NoError(t, idx.Delete(ctx, benchNS, search.Data, ids...))
	res, err = idx.Search(ctx, search.Request{Namespace: benchNS})
	require.NoError(t, err)
	assert.Equal(t, 0, res.Total)
}

// A prefix adds nothing to the score, however many of its words a document
// has or how rare they are: the hits tie, in id order, and each still
// carries where its words matched.
func TestPrefixMatchesScoreAlike(t *testing.T) {
	ctx := context.Background()
	idx, err := bleve.Open(t.TempDir(), bleve.Config{})
	require.NoError(t, err)
	defer idx.Close()
	texts := []string{"payment", "payment payments payable", "pay rise", "unrelated words"}
	for i, text := range texts {
		require.NoError(t, idx.Index(ctx, search.Document{Namespace: "ns1", Kind: search.Data,
			ID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Text: text}))
	}
	res, err := idx.Search(ctx, search.Request{Namespace: "ns1", Query: "pay*"})
	require.NoError(t, err)
	require.Equal(t, 3, res.Total)
	for i, h := range res.Hits {
		assert.Equal(t, fmt.Sprintf("00000000-0000-4000-8000-%012d", i), h.ID)
		assert.Equal(t, res.Hits[0].Score, h.Score)
	}
	assert.Equal(t, []search.Span{{Start: 0, End: 7}, {Start: 8, End: 16}, {Start: 17, End: 24}}, res.Hits[1].Matches)

	// With a word, the word decides the order.
	res, err = idx.Search(ctx, search.Request{Namespace: "ns1", Query: "pay* rise"})
	require.NoError(t, err)
	require.Len(t, res.Hits, 1)
	assert.Equal(t, []search.Span{{Start: 0, End: 3}, {Start: 4, End: 8}}, res.Hits[0].Matches)
}
