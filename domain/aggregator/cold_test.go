package aggregator_test

import (
	"errors"
	"math/rand"
	"strconv"
	"testing"

	"github.com/google/uuid"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// lateGroup pins private batches nobody here can place, moves the chain far
// past a one-block reorg window (so compaction freezes them), then lets the
// node learn what they are in the order late gives. It returns the inputs,
// the outputs, and how many pins were frozen before late ran.
func lateGroup(t *testing.T, late func(n *net, g groupFixture) []catalogue.Payload) (inputs, out []catalogue.Payload, cold int) {
	n := newNet(t, aggregator.Config{ReorgWindow: 1})
	a, b := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	n.register(a)
	n.register(b)
	f := groupFixture{g: n.group("g1", a, b)}
	f.batches = []batch{n.private(a, f.g, "deal"), n.private(b, f.g, "deal"), n.private(a, f.g, "deal", "other")}
	for i, bt := range f.batches {
		signer := a.key
		if i == 1 {
			signer = b.key
		}
		f.pins = append(f.pins, n.pin(bt, signer))
	}
	for _, p := range only[catalogue.PinParked](n.apply(f.pins[0], f.pins[1], f.pins[2])) {
		require.Equal(t, catalogue.ParkNotForUs, p.Reason)
	}
	n.advance(10)
	cold, _ = aggregator.ColdPins(n.agg)
	late(n, f)
	return n.inputs, n.out, cold
}

type groupFixture struct {
	g       protocol.Group
	batches []batch
	pins    []catalogue.PinObserved
}

// TestFrozenPinsDecideAsIfKept checks that freezing not-for-us logs (cold.go)
// changes no decision: each way their context or batch can turn up late
// gives, with a one-block reorg window, the outputs of an aggregator that
// keeps all history.
func TestFrozenPinsDecideAsIfKept(t *testing.T) {
	cases := map[string]func(n *net, f groupFixture) []catalogue.Payload{
		"group, then batches": func(n *net, f groupFixture) []catalogue.Payload {
			out := n.apply(catalogue.GroupKnown{Namespace: ns, Group: f.g})
			return append(out, n.apply(f.batches[2].received, f.batches[1].received, f.batches[0].received)...)
		},
		"batches, then group": func(n *net, f groupFixture) []catalogue.Payload {
			out := n.apply(f.batches[1].received, f.batches[0].received, f.batches[2].received)
			return append(out, n.apply(catalogue.GroupKnown{Namespace: ns, Group: f.g})...)
		},
		"one batch and the group, the rest never": func(n *net, f groupFixture) []catalogue.Payload {
			return n.apply(catalogue.GroupKnown{Namespace: ns, Group: f.g}, f.batches[0].received)
		},
		"pinned again, then its batch": func(n *net, f groupFixture) []catalogue.Payload {
			again := f.pins[1]
			n.block++
			again.Location = n.loc(n.block)
			out := n.apply(again)
			return append(out, n.apply(catalogue.GroupKnown{Namespace: ns, Group: f.g}, f.batches[1].received, f.batches[0].received)...)
		},
	}
	for name, late := range cases {
		t.Run(name, func(t *testing.T) {
			inputs, frozen, cold := lateGroup(t, late)
			require.Equal(t, 4, cold, "compaction froze the three logs' four pins")
			kept := newNet(t, aggregator.Config{ReorgWindow: aggregator.Unlimited})
			assert.Equal(t, kept.apply(inputs...), frozen, "the outputs of an aggregator that keeps all history")
			cold, _ = aggregator.ColdPins(kept.agg)
			assert.Zero(t, cold)
			assert.NotEmpty(t, only[catalogue.MessageConfirmed](frozen[len(frozen)-8:]), "something was decided after the thaw")
		})
	}
}

func TestNotForUsPinsAreFrozenOnceAndStayFrozen(t *testing.T) {
	n := newNet(t, aggregator.Config{ReorgWindow: 1})
	a, b := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	n.register(a)
	n.register(b)
	g := n.group("g1", a, b)
	for range 5 {
		n.apply(n.pin(n.private(a, g, "deal"), a.key))
	}
	n.advance(10)
	cold, unplaced := aggregator.ColdPins(n.agg)
	assert.Equal(t, 5, cold)
	assert.Zero(t, unplaced)
	assert.Empty(t, n.agg.Parked(false), "frozen pins are not listed")
	// A group that is not theirs thaws nothing for good.
	other := n.group("g2", a, b, newOrg(t, "org3", 3))
	n.apply(catalogue.GroupKnown{Namespace: ns, Group: other})
	n.advance(10)
	cold, unplaced = aggregator.ColdPins(n.agg)
	assert.Equal(t, 5, cold)
	assert.Zero(t, unplaced)
}

// TestCompactionChangesNoOutput is the property behind compaction and
// frozen logs: on generated histories long enough to compact many times
// behind a short reorg window (with private groups most members are not in,
// late content, re-pins and shallow reorgs), every member's aggregator gives
// exactly the outputs, byte for byte and in order, of one that keeps all
// history.
func TestCompactionChangesNoOutput(t *testing.T) {
	for _, seed := range simulationSeeds(t, 7, 1) {
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			h := simulation.Generate(seed, simulation.Options{Batches: 500, ReorgWindow: 20})
			rng := rand.New(rand.NewSource(seed))
			frozen := 0
			for m := range h.Members() {
				inputs := h.Inputs(m, rng)
				windowed := feedAll(t, h.Config, inputs)
				unlimited := h.Config
				unlimited.ReorgWindow = aggregator.Unlimited
				kept := feedAll(t, unlimited, inputs)
				require.Equal(t, kept.out, windowed.out, "seed %d member %d: LM_SEED=%d go test -run '%s' ./domain/aggregator",
					seed, m, seed, t.Name())
				frozen += windowed.frozen
			}
			t.Logf("seed %d: %d members, %d pins frozen at the end", seed, h.Members(), frozen)
		})
	}
}

type fed struct {
	out    []catalogue.Payload
	frozen int
}

// feedAll applies inputs in order to a new aggregator with a content source,
// as the Runner does, and returns its outputs and how many pins it left
// frozen; ignored inputs are skipped.
func feedAll(t *testing.T, cfg aggregator.Config, inputs []catalogue.Payload) fed {
	t.Helper()
	current := 0
	a := newAggregator(t, cfg)
	a.UseContentSource(sourceFunc(func(id uuid.UUID) ([]catalogue.BatchReceived, error) {
		var out []catalogue.BatchReceived
		for _, in := range inputs[:current] {
			if b, ok := in.(catalogue.BatchReceived); ok && b.BatchID == id {
				out = append(out, b)
			}
		}
		return out, nil
	}))
	var f fed
	for i, in := range inputs {
		current = i
		out, err := a.Apply(in)
		if errors.Is(err, aggregator.ErrInputIgnored) {
			continue
		}
		require.NoError(t, err, "input %d (%s)", i, in.EventType())
		f.out = append(f.out, out...)
	}
	f.frozen, _ = aggregator.ColdPins(a)
	return f
}

// A log can leave the reorg window before it has its confirmations (a
// window shorter than the confirmations): it is frozen at a later
// compaction, once counted.
func TestALogLeavingTheWindowUncountedIsFrozenLater(t *testing.T) {
	n := newNet(t, aggregator.Config{ReorgWindow: 1, Confirmations: 5})
	a, b := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	for _, o := range []org{a, b} {
		r := n.registration(o)
		n.apply(r.received, n.pin(r, o.key))
	}
	n.advance(5)
	g := n.group("g1", a, b)
	n.apply(n.pin(n.private(a, g, "deal"), a.key))
	n.advance(3) // past the window, not yet confirmed
	cold, unplaced := aggregator.ColdPins(n.agg)
	require.Zero(t, cold)
	require.Equal(t, 1, unplaced)
	n.advance(3)
	cold, unplaced = aggregator.ColdPins(n.agg)
	assert.Equal(t, 1, cold)
	assert.Zero(t, unplaced)
}
