package kurrentdb

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func TestJudge(t *testing.T) {
	proposed := func(data string) event.Proposed {
		return event.Proposed{ID: uuid.New(), Type: "OrderPlaced", Version: 1, Data: []byte(data)}
	}
	a, b, c := proposed(`{"n":1}`), proposed(`{"n":2}`), proposed(`{"n":3}`)
	stored := []event.Event{}
	for i, p := range []event.Proposed{a, b, c} {
		stored = append(stored, event.Event{ID: p.ID, Stream: "order-1", Revision: event.Revision(i + 1),
			Position: event.Position(100 * (i + 1)), Type: p.Type, Version: p.Version, Data: p.Data})
	}

	t.Run("new ids", func(t *testing.T) {
		_, dup, err := judge("order-1", stored, []event.Proposed{proposed(`{}`)})
		require.NoError(t, err)
		assert.False(t, dup)
	})
	t.Run("whole retry", func(t *testing.T) {
		res, dup, err := judge("order-1", stored, []event.Proposed{a, b})
		require.NoError(t, err)
		assert.True(t, dup)
		assert.Equal(t, event.AppendResult{FirstPosition: 100, LastPosition: 200, Revision: 2, Duplicate: true}, res,
			"the original append's result, not the stream's revision")
	})
	t.Run("retry of the tail, whitespace and metadata aside", func(t *testing.T) {
		retry := c
		retry.Data = []byte(` { "n" : 3 } `)
		retry.Metadata = event.Metadata{CorrelationID: "other"}
		res, dup, err := judge("order-1", stored, []event.Proposed{retry})
		require.NoError(t, err)
		assert.True(t, dup)
		assert.Equal(t, event.AppendResult{FirstPosition: 300, LastPosition: 300, Revision: 3, Duplicate: true}, res)
	})
	for name, change := range map[string]func(*event.Proposed){
		"other data":    func(p *event.Proposed) { p.Data = []byte(`{"n":9}`) },
		"other type":    func(p *event.Proposed) { p.Type = "OrderPaid" },
		"other version": func(p *event.Proposed) { p.Version = 2 },
	} {
		t.Run(name, func(t *testing.T) {
			p := b
			change(&p)
			_, _, err := judge("order-1", stored, []event.Proposed{p})
			var dupErr *event.DuplicateEventIDError
			require.ErrorAs(t, err, &dupErr)
			assert.Equal(t, b.ID, dupErr.ID)
			assert.ErrorIs(t, err, event.ErrDuplicateEventID)
		})
	}
	t.Run("partial retry", func(t *testing.T) {
		fresh := proposed(`{}`)
		_, _, err := judge("order-1", stored, []event.Proposed{a, fresh})
		var dupErr *event.DuplicateEventIDError
		require.ErrorAs(t, err, &dupErr)
		assert.Equal(t, fresh.ID, dupErr.ID)
	})
}
