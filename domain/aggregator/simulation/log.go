package simulation

import (
	"math/rand"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// Log is what member 0 of the history seed generates would record: each
// input in the order it arrives (shuffled by seed), followed by the
// decisions the aggregator made on it. Inputs the aggregator refuses are
// kept, as a node records them all the same. Tools and tests that need a
// realistic log (a projection, an export, a rebuild) start from it.
func Log(seed int64, opts Options) ([]catalogue.Payload, aggregator.Config, error) {
	h := Generate(seed, opts)
	agg, err := aggregator.New(h.Config)
	if err != nil {
		return nil, aggregator.Config{}, err
	}
	var out []catalogue.Payload
	for _, in := range h.Inputs(0, rand.New(rand.NewSource(seed))) {
		out = append(out, in)
		decided, err := agg.Apply(in)
		if err != nil {
			continue
		}
		out = append(out, decided...)
	}
	return out, h.Config, nil
}
