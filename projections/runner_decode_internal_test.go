package projections

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

func TestDecodeAheadMemoisesWhatAProjectorTakes(t *testing.T) {
	cat := catalogue.Default()
	r, err := NewRunner(nil, nil, cat, RunnerOptions{}, Operations{})
	require.NoError(t, err)
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	p, err := cat.Encode(uuid.New(), catalogue.OperationRecorded{Namespace: "default", ID: uuid.New(),
		Type: "blockchain_pin_batch", BatchID: uuid.New(), Target: "ethereum", Status: "succeeded",
		Attempts: 1, Created: at, Updated: at}, event.Metadata{})
	require.NoError(t, err)
	good := event.Event{ID: p.ID, Type: p.Type, Version: p.Version, Data: p.Data, Position: 1}
	bad := event.Event{ID: uuid.New(), Type: p.Type, Version: p.Version, Data: []byte(`{"nope"`), Position: 2}
	other := event.Event{ID: uuid.New(), Type: "some_other_type", Version: 1, Data: []byte(`{}`), Position: 3}

	in := make(chan event.Event, 3)
	in <- good
	in <- bad
	in <- other
	close(in)
	var got []event.Event
	for ev := range r.decodeAhead(t.Context(), in) {
		got = append(got, ev)
	}
	require.Len(t, got, 3, "every event passes, in order")
	assert.Equal(t, []event.Position{1, 2, 3}, []event.Position{got[0].Position, got[1].Position, got[2].Position})
	require.NotNil(t, got[0].Memo)
	payload, err := cat.Decode(got[0])
	require.NoError(t, err)
	assert.IsType(t, catalogue.OperationRecorded{}, payload)
	require.NotNil(t, got[1].Memo, "a bad event of a wanted type is memoised too, with its error")
	_, err = cat.Decode(got[1])
	assert.Error(t, err)
	assert.Nil(t, got[2].Memo, "a type no projector takes is left alone")
}

func TestDecodeAheadStopsWithItsContext(t *testing.T) {
	r, err := NewRunner(nil, nil, catalogue.Default(), RunnerOptions{}, Operations{})
	require.NoError(t, err)
	in := make(chan event.Event) // never closed: a live subscription
	ctx, cancel := context.WithCancel(context.Background())
	out := r.decodeAhead(ctx, in)
	for i := range decodeAheadBuffer + 1 { // fill the buffer, then block on the send
		in <- event.Event{ID: uuid.New(), Type: "some_other_type", Position: event.Position(i + 1)}
	}
	cancel()
	drained := 0
	timeout := time.After(10 * time.Second)
	for {
		select {
		case _, ok := <-out:
			if !ok {
				assert.LessOrEqual(t, drained, decodeAheadBuffer+1)
				return
			}
			drained++
		case <-timeout:
			t.Fatal("decodeAhead did not stop when its context ended")
		}
	}
}
