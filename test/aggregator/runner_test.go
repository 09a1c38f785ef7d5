package aggregator_test

import (
	"context"
	"errors"
	"math/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

const ns = "default"

func openStore(t *testing.T, path string) event.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: path}, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	require.NoError(t, err)
	return s
}

// streamOf names the stream an input lands in, as the node's components
// would append it.
func streamOf(p catalogue.Payload) string {
	switch v := p.(type) {
	case catalogue.PinObserved:
		return catalogue.PinStream(v.Location.Chain)
	case catalogue.PinRemoved:
		return catalogue.PinStream(v.Location.Chain)
	case catalogue.ChainCheckpoint:
		return catalogue.CheckpointStream(v.Chain)
	case catalogue.BatchReceived:
		return catalogue.BatchStream(v.BatchID)
	case catalogue.GroupKnown:
		return catalogue.GroupStream(v.Group.Hash())
	case catalogue.BlobReceived:
		return catalogue.BlobStream(v.Hash)
	default:
		return "data-received"
	}
}

func appendInputs(t *testing.T, s event.Store, cat *catalogue.Catalogue, inputs []catalogue.Payload) {
	t.Helper()
	for _, in := range inputs {
		p, err := cat.Encode(uuid.New(), in, event.Metadata{Namespace: ns})
		require.NoError(t, err)
		_, err = s.Append(context.Background(), streamOf(in), event.Any(), p)
		require.NoError(t, err)
	}
}

// recorded decodes the aggregator's decision stream.
func recorded(t *testing.T, s event.Store, cat *catalogue.Catalogue) ([]catalogue.Payload, []event.Event) {
	t.Helper()
	evs, err := s.ReadStream(context.Background(), catalogue.AggregatorStream(ns), 0, 0)
	require.NoError(t, err)
	out := make([]catalogue.Payload, len(evs))
	for i, ev := range evs {
		out[i], err = cat.Decode(ev)
		require.NoError(t, err)
	}
	return out, evs
}

// direct runs the pure aggregator over inputs.
func direct(t *testing.T, cfg aggregator.Config, inputs []catalogue.Payload) []catalogue.Payload {
	t.Helper()
	a, err := aggregator.New(cfg)
	require.NoError(t, err)
	var out []catalogue.Payload
	for _, in := range inputs {
		o, err := a.Apply(in)
		if err != nil && !errors.Is(err, aggregator.ErrInputIgnored) {
			require.NoError(t, err)
		}
		out = append(out, o...)
	}
	return out
}

type running struct {
	runner *aggregator.Runner
	cancel context.CancelFunc
	done   chan error
}

func start(t *testing.T, s event.Store, cat *catalogue.Catalogue, cfg aggregator.Config) *running {
	t.Helper()
	r, err := aggregator.NewRunner(s, cat, cfg, aggregator.RunnerOptions{})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	return &running{runner: r, cancel: cancel, done: done}
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	r.cancel()
	select {
	case err := <-r.done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("runner did not stop")
	}
}

// waitFor waits until the runner applied everything up to the store head
// and recorded its decisions.
func waitFor(t *testing.T, s event.Store, cat *catalogue.Catalogue, want int) []catalogue.Payload {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		out, _ := recorded(t, s, cat)
		if len(out) >= want || time.Now().After(deadline) {
			require.Len(t, out, want, "decisions recorded")
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestRunnerRecordsEachDecisionOnceAcrossRestarts(t *testing.T) {
	cat := catalogue.Default()
	h := simulation.Generate(7, simulation.Options{Members: 3, Batches: 60})
	inputs := h.Inputs(0, rand.New(rand.NewSource(7)))
	cfg := h.Config
	want := direct(t, cfg, inputs)
	require.NotEmpty(t, simulation.Fold(want).Decisions)

	path := filepath.Join(t.TempDir(), "events.db")
	s := openStore(t, path)
	defer func() { require.NoError(t, s.Close()) }()

	half := len(inputs) / 2
	appendInputs(t, s, cat, inputs[:half])
	r := start(t, s, cat, cfg)
	// Inputs keep coming while the runner is live.
	appendInputs(t, s, cat, inputs[half:3*len(inputs)/4])
	first := direct(t, cfg, inputs[:3*len(inputs)/4])
	waitFor(t, s, cat, len(first))
	r.stop(t)

	// Restart: the replay recognises every recorded decision.
	_, before := recorded(t, s, cat)
	r = start(t, s, cat, cfg)
	appendInputs(t, s, cat, inputs[3*len(inputs)/4:])
	got := waitFor(t, s, cat, len(want))
	r.stop(t)
	_, after := recorded(t, s, cat)
	for i := range before {
		assert.Equal(t, before[i].ID, after[i].ID, "recorded decisions are never rewritten")
	}
	assert.Equal(t, "", simulation.Fold(want).Diff(simulation.Fold(got)))
	for i := range want {
		assert.Equal(t, want[i].EventType(), got[i].EventType(), "decision %d", i)
	}
}

func TestRunnerRefusesToDivergeAndToShareItsStream(t *testing.T) {
	cat := catalogue.Default()
	h := simulation.Generate(11, simulation.Options{Members: 3, Batches: 30})
	inputs := h.Inputs(1, rand.New(rand.NewSource(11)))
	cfg := h.Config
	s := openStore(t, filepath.Join(t.TempDir(), "events.db"))
	defer func() { require.NoError(t, s.Close()) }()
	appendInputs(t, s, cat, inputs)
	r := start(t, s, cat, cfg)
	waitFor(t, s, cat, len(direct(t, cfg, inputs)))
	r.stop(t)

	// More confirmations would decide differently: the replay says so
	// instead of recording a second truth.
	other := cfg
	other.Confirmations += 50
	runner, err := aggregator.NewRunner(s, cat, other, aggregator.RunnerOptions{})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	assert.ErrorIs(t, runner.Run(ctx), aggregator.ErrDiverged)
}
