package aggbench

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func TestOptionsValidate(t *testing.T) {
	for name, opts := range map[string]Options{
		"negative pins":           {Pins: -1},
		"too many pins":           {Pins: maxPins + 1},
		"negative contexts":       {Contexts: -5},
		"more contexts than pins": {Pins: 10, Contexts: 11},
		"batch too big":           {BatchSize: protocol.MaxBatchMessages + 1},
		"one unpark pin":          {UnparkPins: 1},
		"negative runs":           {UnparkRuns: -1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), opts, nil)
			assert.ErrorIs(t, err, ErrInvalidOptions)
		})
	}
	opts := Options{}
	opts.setDefaults()
	assert.NoError(t, opts.validate())
	assert.Equal(t, Options{Pins: DefaultPins, Contexts: DefaultContexts, BatchSize: DefaultBatchSize,
		UnparkPins: DefaultUnparkPins, UnparkRuns: DefaultUnparkRuns}, opts)
	assert.Equal(t, "aggregator.unpark.20000", NameUnparkDoubled(DefaultUnparkPins))
}

func TestWorkloadIsValidAndInChainOrder(t *testing.T) {
	a, err := newAuthor()
	require.NoError(t, err)
	b := bench{author: a, progress: func(string) {}}
	batches, err := b.build(context.Background(), 25, func(seq uint64) (batch, error) {
		return a.broadcast(seq, []string{"t1", "t2", "t1"})
	})
	require.NoError(t, err)
	in := inputs(batches, func(i int) bool { return i == 3 })
	var last *catalogue.ChainLocation
	received, checkpoints := 0, 0
	for _, p := range in {
		require.NoError(t, p.Validate(), p.EventType())
		switch p := p.(type) {
		case catalogue.PinObserved:
			if last != nil {
				assert.True(t, last.Less(p.Location), "%s after %s", p.Location, last)
			}
			last = &p.Location
		case catalogue.BatchReceived:
			received++
			var m protocol.Manifest
			require.NoError(t, json.Unmarshal(p.Manifest, &m))
			assert.Equal(t, a.key, m.Key())
		case catalogue.ChainCheckpoint:
			checkpoints++
			assert.Equal(t, last.BlockNumber, p.BlockNumber)
		}
	}
	assert.Equal(t, 25, received, "26 batches, one withheld")
	assert.Equal(t, 3, checkpoints, "blocks of %d logs", logsPerBlock)
	reg := batches[0].pinned
	assert.Equal(t, []protocol.Hash{protocol.BroadcastContext(namespace, protocol.DefinitionsTopic)}, reg.Contexts)
	assert.Len(t, batches[1].pinned.Contexts, 3)
}

// TestRunReportsEveryFigure needs the aggregator to confirm what it is fed:
// a benchmark that confirms nothing fails rather than report a figure.
func TestRunReportsEveryFigure(t *testing.T) {
	var msgs []string
	results, err := Run(context.Background(), Options{Pins: 2000, Contexts: 50, UnparkPins: 200, UnparkRuns: 1},
		func(m string) { msgs = append(msgs, m) })
	require.NoError(t, err)
	want := []Result{{Name: NamePins, Unit: "pins/s"}, {Name: NamePinsAlloc, Unit: "B/pin"},
		{Name: NameReceive, Unit: "msg/s"}, {Name: NameEndToEnd, Unit: "pins/s"}, {Name: NameUnpark, Unit: "ms"}, {Name: "aggregator.unpark.400", Unit: "ms"}, {Name: NameUnparkRatio, Unit: "ratio"}}
	require.Len(t, results, len(want))
	for i, r := range results {
		assert.Equal(t, want[i].Name, r.Name)
		assert.Equal(t, want[i].Unit, r.Unit, r.Name)
		assert.Positive(t, r.Value, r.Name)
	}
	assert.NotEmpty(t, msgs)
}

// BenchmarkApplyPins decides b.N pins in batches of DefaultBatchSize over
// (up to) DefaultContexts contexts, timing only Apply; `ledgermirror bench
// aggregator` runs the whole set.
func BenchmarkApplyPins(b *testing.B) {
	opts := Options{Pins: b.N, Contexts: min(b.N, DefaultContexts), BatchSize: DefaultBatchSize}
	bn := bench{opts: opts, progress: func(string) {}}
	var err error
	bn.author, err = newAuthor()
	require.NoError(b, err)
	b.ResetTimer()
	figures, err := bn.pins(context.Background())
	require.NoError(b, err)
	b.ReportMetric(figures.rate, "pins/s")
	fmt.Printf("BENCH %s=%.6g pins/s\n", NamePins, figures.rate)
}
