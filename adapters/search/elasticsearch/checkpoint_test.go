package elasticsearch

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

func TestCheckpointsLiveInTheMappingMeta(t *testing.T) {
	ctx := context.Background()
	f := &fakeES{}
	x := openFake(t, f)
	pos, err := x.Checkpoint(ctx, "search.v1")
	require.NoError(t, err)
	assert.Zero(t, pos, "no checkpoint yet")

	require.NoError(t, x.SetCheckpoint(ctx, "search.v1", 42))
	require.NoError(t, x.SetCheckpoint(ctx, "other.v2", 7))
	assert.JSONEq(t, `{"lm_checkpoints":{"search.v1":42,"other.v2":7}}`, string(f.meta),
		"each write keeps the other checkpoints, since Elasticsearch replaces _meta whole")
	assert.Contains(t, f.requests, "PUT /lm-test-v1/_mapping")
	for name, want := range map[string]uint64{"search.v1": 42, "other.v2": 7, "never.v1": 0} {
		pos, err := x.Checkpoint(ctx, name)
		require.NoError(t, err)
		assert.Equal(t, want, pos, name)
	}
	require.NoError(t, x.SetCheckpoint(ctx, "search.v1", 0), "a rebuild starts again from 0")
	pos, err = x.Checkpoint(ctx, "search.v1")
	require.NoError(t, err)
	assert.Zero(t, pos)

	n := len(f.requests)
	_, err = x.Checkpoint(ctx, "Bad Name")
	assert.ErrorIs(t, err, search.ErrInvalidDocument)
	assert.ErrorIs(t, x.SetCheckpoint(ctx, "", 1), search.ErrInvalidDocument)
	assert.Len(t, f.requests, n, "an invalid name is not sent")

	require.NoError(t, x.Close())
	_, err = x.Checkpoint(ctx, "search.v1")
	assert.ErrorIs(t, err, search.ErrClosed)
	assert.ErrorIs(t, x.SetCheckpoint(ctx, "search.v1", 1), search.ErrClosed)
}
