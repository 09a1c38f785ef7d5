package aggregator_test

import (
	"errors"
	"flag"
	"fmt"
	"math/rand"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

var seedFlag = flag.Int64("seed", 0, "replay one simulation seed in the property tests (or set LM_SEED)")

// simulationSeeds is the fixed seed and n random ones, or only the seed given
// with -seed or LM_SEED, so that a failure can be replayed.
func simulationSeeds(t *testing.T, fixed int64, n int) []int64 {
	t.Helper()
	if *seedFlag != 0 {
		return []int64{*seedFlag}
	}
	if env := os.Getenv("LM_SEED"); env != "" {
		seed, err := strconv.ParseInt(env, 10, 64)
		require.NoError(t, err, "LM_SEED must be an integer")
		return []int64{seed}
	}
	rng := rand.New(rand.NewSource(time.Now().UnixNano()))
	seeds := []int64{fixed}
	for range n {
		seeds = append(seeds, rng.Int63())
	}
	return seeds
}

func newAggregator(t *testing.T, cfg aggregator.Config) *aggregator.Aggregator {
	t.Helper()
	a, err := aggregator.New(cfg)
	require.NoError(t, err)
	return a
}

// feed applies inputs to an aggregator and returns everything it decided. At
// each crash point (an index into inputs, ascending) the aggregator is thrown
// away and a new one rebuilt by re-applying every earlier input; the outputs
// of that replay are discarded, as they were recorded before the crash.
// Inputs the aggregator ignores (ErrInputIgnored) are counted, not fatal.
func feed(t *testing.T, cfg aggregator.Config, inputs []catalogue.Payload, crashes []int) (outputs []catalogue.Payload, ignored int) {
	t.Helper()
	// The aggregator gets a content source, as under the Runner, so decided
	// batches are released and read back when a reorg or a re-pin needs them.
	current := 0
	src := sourceFunc(func(id uuid.UUID) ([]catalogue.BatchReceived, error) {
		var out []catalogue.BatchReceived
		for _, in := range inputs[:current] {
			if b, ok := in.(catalogue.BatchReceived); ok && b.BatchID == id {
				out = append(out, b)
			}
		}
		return out, nil
	})
	newAgg := func() *aggregator.Aggregator {
		a := newAggregator(t, cfg)
		a.UseContentSource(src)
		return a
	}
	agg := newAgg()
	apply := func(i int) []catalogue.Payload {
		current = i
		out, err := agg.Apply(inputs[i])
		if errors.Is(err, aggregator.ErrInputIgnored) {
			ignored++
			return nil
		}
		require.NoError(t, err, "input %d (%s)", i, inputs[i].EventType())
		return out
	}
	for i := range inputs {
		if len(crashes) > 0 && crashes[0] == i {
			crashes = crashes[1:]
			agg = newAgg()
			for j := range i {
				apply(j)
			}
		}
		outputs = append(outputs, apply(i)...)
	}
	return outputs, ignored
}

// crashPoints picks two or three distinct points in 1..n-1.
func crashPoints(rng *rand.Rand, n int) []int {
	var points []int
	for range 2 + rng.Intn(2) {
		if p := 1 + rng.Intn(max(1, n-1)); !slices.Contains(points, p) {
			points = append(points, p)
		}
	}
	slices.Sort(points)
	return points
}

// checkHistory is the determinism property on one generated history: for
// every member, the aggregator fed that member's inputs (crashing and
// rebuilding on the way) folds to the reference model's outcome, another
// arrival order folds to the same, and members agree on what they share
// (simulation.History.Disagreement).
func checkHistory(t *testing.T, seed int64, opts simulation.Options) {
	h := simulation.Generate(seed, opts)
	t.Log(h.Summary())
	replay := fmt.Sprintf("replay with LM_SEED=%d go test -run '%s' ./domain/aggregator", seed, t.Name())
	rng := rand.New(rand.NewSource(seed))
	outcomes := make([]simulation.Outcome, h.Members())
	for m := range outcomes {
		inputs := h.Inputs(m, rng)
		want := simulation.Reference(h.Config, inputs)
		crashes := crashPoints(rng, len(inputs))
		outputs, ignored := feed(t, h.Config, inputs, crashes)
		got := simulation.Fold(outputs)
		require.Empty(t, got.Anomalies, "seed %d member %d: broken invariants in the output stream; %s", seed, m, replay)
		if d := got.Diff(want); d != "" {
			t.Fatalf("seed %d member %d (%d inputs, %d ignored, crashes at %v): aggregator (this) vs reference (other): %s\n"+
				"aggregator: %s\nreference:  %s\n%s", seed, m, len(inputs), ignored, crashes, d, got, want, replay)
		}
		reordered, _ := feed(t, h.Config, h.Inputs(m, rng), nil)
		if d := simulation.Fold(reordered).Diff(got); d != "" {
			t.Fatalf("seed %d member %d: another arrival order (this) vs the first (other): %s\n%s", seed, m, d, replay)
		}
		outcomes[m] = got
		t.Logf("member %d: %d inputs (%d ignored), crashes at %v: %s", m, len(inputs), ignored, crashes, got)
	}
	if d := h.Disagreement(outcomes); d != "" {
		t.Fatalf("seed %d: members disagree: %s\n%s", seed, d, replay)
	}
}

// TestAggregatorIsDeterministic checks the determinism property on a fixed
// seed and three random ones. The histories are small so that `make test`
// stays quick under -race; the stress build tag runs big ones.
func TestAggregatorIsDeterministic(t *testing.T) {
	for _, seed := range simulationSeeds(t, 1, 3) {
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			t.Logf("seed %d", seed)
			checkHistory(t, seed, simulation.Options{Batches: 40})
		})
	}
}

// extremeOrders are arrival orders random interleaving rarely produces: a
// stable sort of the inputs by rank.
var extremeOrders = []struct {
	name string
	rank func(catalogue.Payload) int
}{
	{"content first", func(p catalogue.Payload) int { return 1 - chainRank(p) }},
	{"chain first", chainRank},
	{"groups last", func(p catalogue.Payload) int {
		if _, ok := p.(catalogue.GroupKnown); ok {
			return 1
		}
		return 0
	}},
}

func chainRank(p catalogue.Payload) int {
	switch p.(type) {
	case catalogue.PinObserved, catalogue.PinRemoved, catalogue.ChainCheckpoint:
		return 0
	}
	return 1
}

// TestAggregatorIsDeterministicInExtremeOrders feeds each member's inputs in
// orders where content and chain are far apart, stable otherwise. "groups
// last" catches batch-wide rejections decided before the group's member list
// is known (the rejected pins then never count for their authors' nonces).
func TestAggregatorIsDeterministicInExtremeOrders(t *testing.T) {
	for _, seed := range simulationSeeds(t, 1, 0) {
		h := simulation.Generate(seed, simulation.Options{Batches: 80})
		rng := rand.New(rand.NewSource(seed))
		for m := range h.Members() {
			inputs := h.Inputs(m, rng)
			want := simulation.Reference(h.Config, inputs)
			for _, order := range extremeOrders {
				arranged := slices.Clone(inputs)
				slices.SortStableFunc(arranged, func(a, b catalogue.Payload) int { return order.rank(a) - order.rank(b) })
				outputs, _ := feed(t, h.Config, arranged, nil)
				if d := simulation.Fold(outputs).Diff(want); d != "" {
					t.Fatalf("seed %d member %d, %s: aggregator (this) vs reference (other): %s\n"+
						"replay with LM_SEED=%d go test -run TestAggregatorIsDeterministicInExtremeOrders ./domain/aggregator",
						seed, m, order.name, d, seed)
				}
			}
		}
	}
}

// sourceFunc adapts a function to aggregator.ContentSource.
type sourceFunc func(id uuid.UUID) ([]catalogue.BatchReceived, error)

func (f sourceFunc) ReceivedBatches(id uuid.UUID) ([]catalogue.BatchReceived, error) { return f(id) }
