package querybench

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

func TestOptionsValidate(t *testing.T) {
	for name, opts := range map[string]Options{
		"negative events":      {Events: -1},
		"only the genesis":     {Events: genesisEvents},
		"too many events":      {Events: maxEvents + 1},
		"negative messages":    {Messages: -1},
		"too many messages":    {Messages: maxMessages + 1},
		"negative requests":    {Requests: -1},
		"too many clients":     {Clients: maxClients + 1},
		"negative count reqs":  {CountRequests: -1},
		"negative searches":    {Searches: -1},
		"too many requests":    {Requests: maxRequests + 1},
		"too many count reqs":  {CountRequests: maxRequests + 1},
		"too many searches":    {Searches: maxRequests + 1},
		"negative clients":     {Clients: -1},
		"events below genesis": {Events: 1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), opts, nil)
			assert.ErrorIs(t, err, ErrInvalidOptions)
		})
	}
	opts := Options{}
	opts.setDefaults()
	require.NoError(t, opts.validate())
	assert.Equal(t, Options{Events: DefaultEvents, Messages: DefaultMessages, Requests: DefaultRequests, Clients: DefaultClients,
		CountRequests: DefaultCountRequests, Searches: DefaultSearches}, opts)
}

// TestWorkloadIsANodesLog decodes a few batches of the log with the
// catalogue and projects them: every message is confirmed (or, one in
// rejectEvery, rejected), own batches carry their submissions and
// operations, and the same batch number always gives the same events.
func TestWorkloadIsANodesLog(t *testing.T) {
	w, err := newWorkload(true)
	require.NoError(t, err)
	cat := catalogue.Default()
	genesis, err := w.genesis()
	require.NoError(t, err)
	assert.Len(t, genesis, genesisEvents)
	types := map[string]int{}
	var evs []event.Event
	for _, p := range genesis {
		evs = append(evs, event.Event{ID: p.ID, Stream: p.stream, Type: p.Type, Version: p.Version, Data: p.Data})
	}
	const batches = 40
	for seq := range uint64(batches) {
		ps, err := w.batch(seq, perBatch, false)
		require.NoError(t, err)
		again, err := w.batch(seq, perBatch, false)
		require.NoError(t, err)
		assert.Equal(t, ps, again, "batch %d is a function of its number", seq)
		for _, p := range ps {
			evs = append(evs, event.Event{ID: p.ID, Stream: p.stream, Type: p.Type, Version: p.Version, Data: p.Data,
				Metadata: p.Metadata})
		}
	}
	for i := range evs {
		evs[i].Position = event.Position(i + 1) //nolint:gosec // i >= 0
		evs[i].Recorded = epoch.Add(time.Duration(i) * time.Millisecond)
		_, err := cat.Decode(evs[i])
		require.NoError(t, err, "event %d (%s)", i, evs[i].Type)
		types[evs[i].Type]++
	}
	msgs := batches * perBatch
	assert.Equal(t, msgs/rejectEvery, types["MessageRejected"])
	assert.Equal(t, msgs-msgs/rejectEvery, types["MessageConfirmed"])
	assert.Equal(t, batches, types["PinObserved"])
	assert.Equal(t, batches/batchesPerBlock, types["ChainCheckpoint"])
	own := (batches + 2) / 3
	assert.Equal(t, own*perBatch, types["MessageSubmitted"])
	assert.Equal(t, own, types["BatchSealed"])
	assert.Equal(t, batches-own, types["BatchReceived"])
	assert.Equal(t, 2*own, types["OperationRecorded"])

	rm := projectionsOf(t, evs)
	ctx := context.Background()
	q, qerr := query.Parse(projections.MessagesTable.Collection(), map[string][]string{"count": {"true"}, "state": {"confirmed"}})
	require.Nil(t, qerr)
	_, total, err := rm.Find(ctx, projections.MessagesTable, namespace, q)
	require.NoError(t, err)
	assert.Equal(t, msgs-msgs/rejectEvery, total)
	q, qerr = query.Parse(projections.MessagesTable.Collection(), map[string][]string{"count": {"true"}, "type": {"private"}})
	require.Nil(t, qerr)
	_, total, err = rm.Find(ctx, projections.MessagesTable, namespace, q)
	require.NoError(t, err)
	assert.Equal(t, batches/5*perBatch, total)
	doc, found, err := rm.Get(ctx, projections.MessagesTable, namespace, newID(kindMessage, 7, 3))
	require.NoError(t, err)
	require.True(t, found)
	var m struct {
		Header struct {
			Topics []string `json:"topics"`
		} `json:"header"`
		State string `json:"state"`
	}
	require.NoError(t, json.Unmarshal(doc, &m))
	assert.Equal(t, []string{topicOf(messageSeq(7, 3))}, m.Header.Topics)
	assert.Equal(t, projections.StateConfirmed, m.State)
}

func TestSmallRun(t *testing.T) {
	var lines []string
	results, err := Run(context.Background(), Options{Events: 600, Messages: 345, Requests: 40, CountRequests: 8,
		Searches: 20, Dir: t.TempDir()}, func(s string) { lines = append(lines, s) })
	require.NoError(t, err)
	names := []string{NameRebuild, NameMessagesP50, NameMessagesP99, NameMessagesCount, NameSearchIndex, NameSearchP99, NameRSS}
	require.Len(t, results, len(names))
	for i, r := range results {
		assert.Equal(t, names[i], r.Name)
		assert.Positive(t, r.Value, r.Name)
		assert.NotEmpty(t, r.Unit)
	}
	assert.True(t, slices.ContainsFunc(lines, func(l string) bool {
		return strings.HasPrefix(l, "event store: 600 events appended in ")
	}), "%q", lines)
}

// projectionsOf projects evs with every projector into an in-memory read
// model.
func projectionsOf(t *testing.T, evs []event.Event) *memstore.Store {
	t.Helper()
	rm := memstore.New()
	r, err := projections.NewRunner(nil, rm, catalogue.Default(), projections.RunnerOptions{
		OnSkipped: func(ev event.Event, err error) { t.Errorf("event %d skipped: %v", ev.Position, err) },
	}, projections.All()...)
	require.NoError(t, err)
	require.NoError(t, r.ApplyEvents(context.Background(), evs))
	return rm
}

func TestPercentile(t *testing.T) {
	assert.Zero(t, percentile(nil, 0.5))
	ds := []time.Duration{5, 1, 4, 2, 3}
	assert.Equal(t, time.Duration(3), percentile(ds, 0.5))
	assert.Equal(t, time.Duration(5), percentile(ds, 0.99))
}
