//go:build stress

package aggregator_test

import (
	"strconv"
	"testing"

	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
)

// TestAggregatorIsDeterministicStress is the determinism property on many
// big histories: go test -tags stress -run Stress -timeout 30m ./domain/aggregator
// (LM_SEED or -seed replays one).
func TestAggregatorIsDeterministicStress(t *testing.T) {
	for _, seed := range simulationSeeds(t, 2, 40) {
		// Sizes follow from the seed, so a replay builds the same history.
		opts := simulation.Options{Batches: 300 + 100*int(uint64(seed)%4)}
		if uint64(seed)%5 == 4 {
			opts.Members = 7
		}
		if uint64(seed)%3 == 0 {
			// Past 4096 inputs per member, so the aggregator compacts its
			// history behind a short reorg window along the way.
			opts.Batches, opts.ReorgWindow = 1500, 40
		}
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			t.Logf("seed %d, %d batches", seed, opts.Batches)
			checkHistory(t, seed, opts)
		})
	}
}
