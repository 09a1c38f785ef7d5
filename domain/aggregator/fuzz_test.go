package aggregator_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// Fuzz operations, one byte each (the ones that pick something read the
// next byte too).
const (
	opNextChainEvent = iota // apply the next chain event
	opDeliver               // apply an off-chain input and forget it
	opDuplicate             // apply an off-chain input and keep it for later
	opDrop                  // forget an off-chain input without applying it
	opRemovePin             // remove one of the logs present (any, not only the newest)
	opReplayChain           // apply a chain event already applied again (stale or out of order)
	opCount
)

// FuzzApply drives one member's aggregator through a small generated history
// in an order the fuzzer chooses: chain events come in chain order but may be
// replayed later (stale, out of order), off-chain inputs are delivered,
// duplicated, reordered or dropped, and logs are removed at will. Whatever it does, Apply must not panic, may only
// refuse inputs with ErrInputIgnored, must return valid payloads, and its
// output stream must fold without anomalies: one standing decision per
// (message, batch, log), context counts 1..n, digests that recompute from the
// confirmed hashes. When nothing was dropped, what it decided must also be
// what the reference model decides on the same inputs.
func FuzzApply(f *testing.F) {
	f.Add(int64(1), []byte{})
	f.Add(int64(2), []byte{0, 0, 1, 0, 0, 1, 1, 2, 0, 3, 4, 0, 0})
	f.Add(int64(3), bytes.Repeat([]byte{1, 7, 0}, 40))
	f.Add(int64(4), []byte{4, 0, 4, 1, 0, 0, 2, 5, 3, 9, 0, 0, 0, 4, 2})
	f.Add(int64(5), bytes.Repeat([]byte{0, 0, 2, 3, 4, 1}, 30))
	f.Add(int64(6), []byte{0, 0, 0, 0, 0, 0, 4, 2, 5, 1, 5, 3, 0, 5, 0})
	f.Fuzz(func(t *testing.T, seed int64, ops []byte) {
		h := simulation.Generate(seed, simulation.Options{Members: 3, Batches: 10})
		member := int(uint64(seed) % 3)
		chain, pending := h.Chain, h.OffChain(member)
		var seen []catalogue.Payload // chain events applied so far
		agg, err := aggregator.New(h.Config)
		require.NoError(t, err)
		var outputs, applied []catalogue.Payload
		var present []catalogue.ChainLocation
		dropped := false
		apply := func(p catalogue.Payload) {
			out, err := agg.Apply(p)
			if err != nil {
				require.ErrorIs(t, err, aggregator.ErrInputIgnored, "%s", p.EventType())
			}
			for _, o := range out {
				require.NoError(t, o.Validate(), "output %s", o.EventType())
			}
			outputs = append(outputs, out...)
			applied = append(applied, p)
			switch e := p.(type) {
			case catalogue.PinObserved:
				if err == nil {
					present = append(present, e.Location)
				}
			case catalogue.PinRemoved:
				present = slices.DeleteFunc(present, func(l catalogue.ChainLocation) bool { return l == e.Location })
			}
		}
		for i := 0; i < len(ops); i++ {
			op, arg := ops[i]%opCount, 0
			if op != opNextChainEvent && i+1 < len(ops) {
				i++
				arg = int(ops[i])
			}
			switch {
			case op == opNextChainEvent && len(chain) > 0:
				apply(chain[0])
				seen = append(seen, chain[0])
				chain = chain[1:]
			case op == opReplayChain && len(seen) > 0:
				apply(seen[arg%len(seen)])
			case op == opRemovePin && len(present) > 0:
				apply(catalogue.PinRemoved{Namespace: h.Config.Namespace, Location: present[arg%len(present)], Reason: "fuzz"})
			case (op == opDeliver || op == opDuplicate || op == opDrop) && len(pending) > 0:
				k := arg % len(pending)
				if op != opDrop {
					apply(pending[k])
				}
				if op != opDuplicate {
					pending = slices.Delete(pending, k, k+1)
				}
				dropped = dropped || op == opDrop
			}
		}
		for _, p := range chain {
			apply(p)
		}
		for _, p := range pending {
			apply(p)
		}
		got := simulation.Fold(outputs)
		require.Empty(t, got.Anomalies, "seed %d: %s", seed, h.Summary())
		if !dropped {
			want := simulation.Reference(h.Config, applied)
			require.Equal(t, "", got.Diff(want), "seed %d, aggregator (this) vs reference (other): %s", seed, h.Summary())
		}
	})
}
