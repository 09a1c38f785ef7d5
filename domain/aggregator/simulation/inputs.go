package simulation

import (
	"encoding/json"
	"math/rand"
	"slices"
	"sort"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// arrival is an off-chain input placed just before chain event at (or after
// all of them when at == len(Chain)); tie orders arrivals at the same place.
type arrival struct {
	at, tie int
	p       catalogue.Payload
}

// Inputs is what member's aggregator is fed: the chain events in chain order,
// interleaved at random (drawn from rng) with the off-chain arrivals the
// member holds: BatchReceived for its batches (now and then one data item
// left out and sent later as DataReceived), BlobReceived for their blobs and
// GroupKnown for the groups of its private batches. Arrivals land anywhere,
// mostly near their batch's first pin, before or after it.
func (h *History) Inputs(member int, rng *rand.Rand) []catalogue.Payload {
	var offs []arrival
	add := func(at int, p catalogue.Payload) {
		offs = append(offs, arrival{at: max(0, min(at, len(h.Chain))), tie: rng.Int(), p: p})
	}
	near := func(anchor int) int {
		if rng.Float64() < 0.25 {
			return rng.Intn(len(h.Chain) + 1)
		}
		return anchor - 8 + rng.Intn(40)
	}
	groups := map[int]int{}
	for _, b := range h.Batches {
		if !b.Holds(member) {
			continue
		}
		anchor, ok := h.anchor[b.ID()]
		if !ok {
			anchor = rng.Intn(len(h.Chain) + 1)
		}
		at := near(anchor)
		if b.Author == member {
			at = anchor - rng.Intn(10) // an author has its batch before it pins it
		}
		recv, later := h.split(b, rng)
		add(at, recv)
		for _, d := range later {
			if rng.Float64() < 0.1 {
				add(at-1-rng.Intn(10), d)
			} else {
				add(at+1+rng.Intn(30), d)
			}
		}
		for _, blob := range b.Blobs {
			add(near(anchor), blob)
		}
		if b.Group >= 0 {
			if first, seen := groups[b.Group]; !seen || anchor < first {
				groups[b.Group] = anchor
			}
		}
	}
	for g, m := range h.Groups {
		if first, ok := groups[g]; ok || slices.Contains(m.Members, member) {
			if !ok {
				first = len(h.Chain)
			}
			add(rng.Intn(first+10), catalogue.GroupKnown{Namespace: h.Config.Namespace, Group: m.Group})
		}
	}
	sort.Slice(offs, func(i, j int) bool {
		if offs[i].at != offs[j].at {
			return offs[i].at < offs[j].at
		}
		return offs[i].tie < offs[j].tie
	})
	out := make([]catalogue.Payload, 0, len(h.Chain)+len(offs))
	k := 0
	for i := 0; i <= len(h.Chain); i++ {
		for ; k < len(offs) && offs[k].at == i; k++ {
			out = append(out, offs[k].p)
		}
		if i < len(h.Chain) {
			out = append(out, h.Chain[i])
		}
	}
	return out
}

// split is the batch as delivered, with some intact data items taken out to
// arrive on their own.
func (h *History) split(b *Batch, rng *rand.Rand) (catalogue.BatchReceived, []catalogue.Payload) {
	recv := b.Delivered
	recv.Data = nil
	var later []catalogue.Payload
	for i, raw := range b.Delivered.Data {
		if !b.keepData[i] && rng.Float64() < 0.1 {
			later = append(later, catalogue.DataReceived{Namespace: recv.Namespace, From: recv.From, Data: raw})
			continue
		}
		recv.Data = append(recv.Data, raw)
	}
	if recv.Data == nil {
		recv.Data = []json.RawMessage{}
	}
	return recv, later
}

// OffChain lists every off-chain input member holds, in a fixed order: the
// material for tests that arrange arrivals themselves (fuzzing).
func (h *History) OffChain(member int) []catalogue.Payload {
	var out []catalogue.Payload
	for g, grp := range h.Groups {
		if slices.Contains(grp.Members, member) || h.holdsGroupBatch(member, g) {
			out = append(out, catalogue.GroupKnown{Namespace: h.Config.Namespace, Group: grp.Group})
		}
	}
	for _, b := range h.Batches {
		if b.Holds(member) {
			out = append(out, b.Delivered)
			for _, blob := range b.Blobs {
				out = append(out, blob)
			}
		}
	}
	return out
}

func (h *History) holdsGroupBatch(member, g int) bool {
	for _, b := range h.Batches {
		if b.Group == g && b.Holds(member) {
			return true
		}
	}
	return false
}
