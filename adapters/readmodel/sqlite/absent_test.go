package sqlite

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPutKeysNeverForgetsAKeyAndRarelyImaginesOne(t *testing.T) {
	k := newPutKeys(maxPutKeysBytes)
	const n = 350_000 // past the first two layers' limits
	for i := range n {
		require.True(t, k.add(k.hash(1, "ns", fmt.Sprintf("key-%d", i))))
	}
	require.Greater(t, len(k.layers), 2, "the filter grew by layers")
	for i := range n {
		require.True(t, k.mayHave(k.hash(1, "ns", fmt.Sprintf("key-%d", i))), "key %d was added", i)
	}
	false1 := 0
	for i := range 100_000 {
		if k.mayHave(k.hash(1, "ns", fmt.Sprintf("other-%d", i))) {
			false1++
		}
	}
	// Each layer is ~1% when full; a lookup asks every layer.
	assert.Less(t, false1, 4_000, "false positives out of 100,000")
	// The table, the namespace and the key's type are all part of a key.
	k2 := newPutKeys(maxPutKeysBytes)
	k2.add(k2.hash(1, "ns", int64(7)))
	assert.True(t, k2.mayHave(k2.hash(1, "ns", int64(7))))
	assert.False(t, k2.mayHave(k2.hash(2, "ns", int64(7))))
	assert.False(t, k2.mayHave(k2.hash(1, "other", int64(7))))
	assert.False(t, k2.mayHave(k2.hash(1, "ns", "7")))
}

func TestPutKeysStopsAtItsBound(t *testing.T) {
	// Layers of 128 and 256 KiB fit in 512 KiB; a third (512) does not.
	k := newPutKeys(512 << 10)
	added := 0
	for k.add(k.hash(0, "", int64(added))) {
		added++
	}
	assert.Len(t, k.layers, 2)
	assert.Equal(t, 384<<10, k.bytes)
	assert.Equal(t, (firstLayerBits+2*firstLayerBits)/bloomBitsPerKey, added)
}

func TestGetsOfKeysNeverPutSkipSQLiteOnlyInTablesThisOpenCreated(t *testing.T) {
	path := testPath(t)
	s := open(t, path, widgets)
	commitRows(t, s, widgets, widget("kept"))

	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	require.NoError(t, tx.Put(widgets, widget("rolled-back"), []byte(`{}`)))
	require.NoError(t, tx.Rollback())

	tx, err = s.Begin(ctx(t))
	require.NoError(t, err)
	_, found, err := tx.Get(widgets, "ns", "kept")
	require.NoError(t, err)
	assert.True(t, found, "a key put and committed")
	_, found, err = tx.Get(widgets, "ns", "rolled-back")
	require.NoError(t, err)
	assert.False(t, found, "a rolled-back Put leaves a maybe, which SQLite answers")
	before := s.writes.absent
	_, found, err = tx.Get(widgets, "ns", "never")
	require.NoError(t, err)
	assert.False(t, found)
	assert.Equal(t, before+1, s.writes.absent, "the filter answered")
	require.NoError(t, tx.Rollback())
	require.NoError(t, s.Close())

	// Reopened, the table was not created by this Open: every Get asks.
	s = open(t, path, widgets)
	tx, err = s.Begin(ctx(t))
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	_, found, err = tx.Get(widgets, "ns", "kept")
	require.NoError(t, err)
	assert.True(t, found)
	_, found, err = tx.Get(widgets, "ns", "never")
	require.NoError(t, err)
	assert.False(t, found)
	assert.Zero(t, s.writes.absent)
	assert.Nil(t, s.putKeys)
}
