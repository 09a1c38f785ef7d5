package aggregator

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfirmedIDsThroughGrowthAndRemoval(t *testing.T) {
	c := newConfirmedIDs()
	ids := make([]uuid.UUID, 50_000) // several doublings of the filter
	for i := range ids {
		ids[i] = uuid.New()
		c.add(ids[i], confirmedEntry{pos: pinPos{block: uint64(i + 1)}})
	}
	for i, id := range ids {
		e, ok := c.before(id, pinPos{block: uint64(i + 2)})
		require.True(t, ok, "id %d", i)
		assert.Equal(t, uint64(i+1), e.pos.block)
		_, ok = c.before(id, pinPos{block: uint64(i + 1)})
		assert.False(t, ok, "an id confirmed at a pin is not before that pin")
	}
	falsePositives := 0
	for range 100_000 {
		if c.seen.mayHave(uuid.New()) {
			falsePositives++
		}
	}
	assert.Less(t, falsePositives, 2_000, "the filter lets most new ids skip the map")

	// A second confirmation of an id (the documented disjoint-context case),
	// then removals in either order.
	id := ids[7]
	c.add(id, confirmedEntry{pos: pinPos{block: 1_000_000}})
	c.remove(id, pinPos{block: 8})
	e, ok := c.before(id, pinPos{block: 2_000_000})
	require.True(t, ok)
	assert.Equal(t, uint64(1_000_000), e.pos.block)
	c.remove(id, pinPos{block: 1_000_000})
	_, ok = c.before(id, pinPos{block: 2_000_000})
	assert.False(t, ok)
}

func TestConfirmedIDsShareTheirPinLog(t *testing.T) {
	c := newConfirmedIDs()
	batch, other := uuid.New(), uuid.New()
	ids := make([]uuid.UUID, 200)
	for i := range ids {
		ids[i] = uuid.New()
		c.add(ids[i], confirmedEntry{pos: pinPos{block: 9, tx: 2, log: 3, index: uint32(i)}, batch: batch})
	}
	c.add(uuid.New(), confirmedEntry{pos: pinPos{block: 9, tx: 2, log: 4}, batch: other})
	assert.Len(t, c.logs.list, 2, "one record per pin log")
	for i, id := range ids {
		e, ok := c.before(id, pinPos{block: 10})
		require.True(t, ok)
		assert.Equal(t, confirmedEntry{pos: pinPos{block: 9, tx: 2, log: 3, index: uint32(i)}, batch: batch}, e)
	}
	// A pin of the same log at a higher index is after the earlier ones.
	_, ok := c.before(ids[5], pinPos{block: 9, tx: 2, log: 3, index: 5})
	assert.False(t, ok)
	_, ok = c.before(ids[5], pinPos{block: 9, tx: 2, log: 3, index: 6})
	assert.True(t, ok)
	c.remove(ids[5], pinPos{block: 9, tx: 2, log: 3, index: 5})
	_, ok = c.before(ids[5], pinPos{block: 10})
	assert.False(t, ok)
	_, ok = c.before(ids[6], pinPos{block: 10})
	assert.True(t, ok, "removing one pin of a log leaves the others")
}
