package simulation

import (
	"encoding/json"
	"math/rand"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func marshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := Generate(5, Options{Batches: 40}), Generate(5, Options{Batches: 40})
	require.Equal(t, marshal(t, a.Chain), marshal(t, b.Chain))
	require.Equal(t, a.Summary(), b.Summary())
	assert.Equal(t, marshal(t, a.Inputs(1, rand.New(rand.NewSource(9)))), marshal(t, b.Inputs(1, rand.New(rand.NewSource(9)))))
	assert.NotEqual(t, marshal(t, a.Chain), marshal(t, Generate(6, Options{Batches: 40}).Chain))
}

// finalLogs replays the chain's removals.
func finalLogs(h *History) []catalogue.PinObserved {
	var logs []catalogue.PinObserved
	for _, ev := range h.Chain {
		switch p := ev.(type) {
		case catalogue.PinObserved:
			logs = append(logs, p)
		case catalogue.PinRemoved:
			logs = slices.DeleteFunc(logs, func(l catalogue.PinObserved) bool { return l.Location == p.Location })
		}
	}
	return logs
}

func batchesByID(h *History) map[uuid.UUID]*Batch {
	out := map[uuid.UUID]*Batch{}
	for _, b := range h.Batches {
		out[b.ID()] = b
	}
	return out
}

func TestGeneratedChainIsWellFormed(t *testing.T) {
	labels := map[string]bool{}
	for seed := int64(1); seed <= 4; seed++ {
		h := Generate(seed, Options{Batches: 150})
		batches := batchesByID(h)
		var present []catalogue.ChainLocation
		var head uint64
		for i, ev := range h.Chain {
			require.NoError(t, ev.Validate(), "seed %d event %d", seed, i)
			switch p := ev.(type) {
			case catalogue.PinObserved:
				if len(present) > 0 {
					require.True(t, present[len(present)-1].Less(p.Location), "seed %d event %d: out of chain order", seed, i)
				}
				present = append(present, p.Location)
				b := batches[p.BatchID]
				require.NotNil(t, b)
				_, private := b.Manifest.Group()
				assert.Equal(t, private, p.PayloadRef == "")
				assert.Equal(t, b.Manifest.Hash(), p.BatchHash)
			case catalogue.PinRemoved:
				require.NotEmpty(t, present)
				require.Equal(t, present[len(present)-1], p.Location, "seed %d event %d: removals go newest first", seed, i)
				present = present[:len(present)-1]
			case catalogue.ChainCheckpoint:
				require.GreaterOrEqual(t, p.BlockNumber, head, "heads never go down")
				head = p.BlockNumber
			}
		}
		require.NotEmpty(t, present)
		assert.GreaterOrEqual(t, head, present[len(present)-1].BlockNumber, "the last checkpoint covers the chain")
		for _, b := range h.Batches {
			labels[b.Label] = true
		}
		assert.Positive(t, h.stats["reorgs"], h.Summary())
	}
	for _, l := range []string{"", "tampered-batch", "tampered-data", "tampered-message", "wrong-signer", "wrong-nonce",
		"pinned-twice", "resent-message", "not-group-member", "invalid-definition", "invalid-schema",
		"foreign-org-definition", "foreign-node-definition"} {
		assert.True(t, labels[l], "no batch labelled %q", l)
	}
}

// Private pins on the final chain carry honest nonces: per (context, author)
// counting the author's earlier pins there, except for wrong-nonce logs,
// which carry other values and are not counted.
func TestGeneratedNoncesAreHonest(t *testing.T) {
	h := Generate(3, Options{Batches: 200})
	batches := batchesByID(h)
	counts := map[nonceKey]uint64{}
	private := 0
	for _, l := range finalLogs(h) {
		b := batches[l.BatchID]
		if _, ok := b.Manifest.Group(); !ok {
			continue
		}
		private++
		trial := map[nonceKey]uint64{}
		for k, v := range counts {
			trial[k] = v
		}
		want := pinsOf(&logSpec{batch: b}, trial)
		if b.Label == "wrong-nonce" {
			for i := range want {
				assert.NotEqual(t, want[i], l.Contexts[i])
			}
			continue
		}
		require.Equal(t, want, l.Contexts, "batch %s (%s)", b.ID(), b.Label)
		counts = trial
	}
	assert.Greater(t, private, 20)
}

func TestInputsDeliverWhatAMemberHolds(t *testing.T) {
	h := Generate(8, Options{Batches: 80})
	for m := range h.Members() {
		in := h.Inputs(m, rand.New(rand.NewSource(int64(m))))
		var chain []catalogue.Payload
		received, data := map[uuid.UUID]bool{}, map[string]int{}
		blobs, groups := map[protocol.Hash]bool{}, map[protocol.Hash]bool{}
		for _, p := range in {
			require.NoError(t, p.Validate())
			switch e := p.(type) {
			case catalogue.PinObserved, catalogue.PinRemoved, catalogue.ChainCheckpoint:
				chain = append(chain, p)
			case catalogue.BatchReceived:
				require.False(t, received[e.BatchID], "batch received twice")
				received[e.BatchID] = true
				for _, d := range e.Data {
					data[string(d)]++
				}
			case catalogue.DataReceived:
				data[string(e.Data)]++
			case catalogue.BlobReceived:
				blobs[e.Hash] = true
			case catalogue.GroupKnown:
				groups[e.Group.Hash()] = true
			}
		}
		require.Equal(t, marshal(t, h.Chain), marshal(t, chain), "the chain events, in order")
		for _, b := range h.Batches {
			require.Equal(t, b.Holds(m), received[b.ID()])
			if !b.Holds(m) {
				continue
			}
			for _, d := range b.Delivered.Data {
				assert.Positive(t, data[string(d)], "every data item arrives, in the batch or on its own")
			}
			for _, blob := range b.Blobs {
				assert.True(t, blobs[blob.Hash])
			}
			if b.Group >= 0 {
				assert.True(t, groups[h.Groups[b.Group].Group.Hash()])
			}
		}
	}
}

func TestCalmHistoriesConfirmEverything(t *testing.T) {
	zero := uint64(0)
	h := Generate(11, Options{Batches: 60, Calm: true, Confirmations: &zero})
	batches := batchesByID(h)
	for m := range h.Members() {
		o := Reference(h.Config, h.Inputs(m, rand.New(rand.NewSource(1))))
		require.Empty(t, o.Anomalies)
		want := 0
		for _, l := range finalLogs(h) {
			if b := batches[l.BatchID]; b.Holds(m) {
				want += len(b.Messages)
			}
		}
		confirmed := 0
		for k, d := range o.Decisions {
			require.Equal(t, catalogue.DecisionConfirmed, d.Decision, "member %d: %s", m, k)
			confirmed++
		}
		assert.Equal(t, want, confirmed, "member %d", m)
	}
}

// The reference itself must be blind to arrival order, and members must
// agree on what they share; otherwise comparing the aggregator with it
// proves nothing.
func TestReferenceIsDeterministicAcrossOrdersAndMembers(t *testing.T) {
	for _, seed := range []int64{21, 22} {
		h := Generate(seed, Options{Batches: 60})
		rng := rand.New(rand.NewSource(seed))
		outcomes := make([]Outcome, h.Members())
		for m := range outcomes {
			outcomes[m] = Reference(h.Config, h.Inputs(m, rng))
			again := Reference(h.Config, h.Inputs(m, rng))
			require.Equal(t, "", outcomes[m].Diff(again), "seed %d member %d: two arrival orders", seed, m)
			require.Empty(t, outcomes[m].Anomalies)
		}
		require.Equal(t, "", h.Disagreement(outcomes), "seed %d: %s", seed, h.Summary())
		comparedFully := false
		for g := range h.Groups {
			if _, full := h.GroupHolders(g); len(full) >= 2 {
				comparedFully = true
			}
		}
		assert.True(t, comparedFully, "seed %d: no group compared between full holders", seed)
	}
}

func TestLabelledBatchesGetTheirReasons(t *testing.T) {
	want := map[string][]catalogue.RejectReason{
		"tampered-batch":          {catalogue.RejectBatchHashMismatch},
		"tampered-data":           {catalogue.RejectDataHashMismatch},
		"tampered-message":        {catalogue.RejectMessageHashMismatch},
		"wrong-signer":            {catalogue.RejectAuthorNotRegistered, catalogue.RejectWrongSigner},
		"wrong-nonce":             {catalogue.RejectAuthorNotRegistered, catalogue.RejectNonceMismatch},
		"not-group-member":        {catalogue.RejectAuthorNotRegistered, catalogue.RejectNotGroupMember},
		"invalid-definition":      {catalogue.RejectInvalidContent},
		"invalid-schema":          {catalogue.RejectInvalidContent},
		"foreign-org-definition":  {catalogue.RejectWrongSigner},
		"foreign-node-definition": {catalogue.RejectWrongSigner},
	}
	seen := map[string]int{}
	for _, seed := range []int64{31, 32} {
		h := Generate(seed, Options{Batches: 120})
		batches := batchesByID(h)
		o := Reference(h.Config, h.Inputs(0, rand.New(rand.NewSource(seed))))
		for k, d := range o.Decisions {
			b := batches[k.BatchID]
			reasons, ok := want[b.Label]
			if !ok {
				continue
			}
			seen[b.Label]++
			require.Equal(t, catalogue.DecisionRejected, d.Decision, "seed %d: %s (%s)", seed, k, b.Label)
			assert.Contains(t, reasons, d.Reason, "seed %d: %s (%s)", seed, k, b.Label)
		}
	}
	for label := range want {
		assert.Positive(t, seen[label], "no decision seen for %q", label)
	}
}
