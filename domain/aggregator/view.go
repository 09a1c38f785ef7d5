package aggregator

import (
	"bytes"
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// View is the port the rest of the node reads the aggregator's state
// through (the API's status and digest endpoints, the verify command). The
// Runner implements it over the aggregator it owns; the answers are as of the
// last input the runner applied.
type View interface {
	// Parked returns the pins parked now, in chain order, each with its
	// latest PinParked event. stuckOnly leaves out not-for-us pins; those
	// past the reorg window are frozen (cold.go) and never listed.
	Parked(stuckOnly bool) []catalogue.PinParked
	// Contexts returns every context with at least one confirmed message,
	// sorted by context hash.
	Contexts() []ContextState
	// Digests returns the namespace digests of PROTOCOL.md: one over the
	// broadcast contexts and one per private group.
	Digests() (Digests, error)
}

// ContextState is one context's running digest.
type ContextState struct {
	Context protocol.Hash
	// Group is set for private contexts.
	Group *protocol.Hash
	// Topic is the context's topic, once a confirmed message named it.
	Topic  string
	Digest protocol.ContextDigest
}

// Digests are the namespace digests.
type Digests struct {
	Broadcast protocol.Hash
	// Groups maps each private group with confirmed messages to its digest.
	Groups map[protocol.Hash]protocol.Hash
}

// Parked implements View.
func (a *Aggregator) Parked(stuckOnly bool) []catalogue.PinParked {
	var out []catalogue.PinParked
	seen := map[*pin]bool{}
	add := func(p *pin) {
		if p.parked == "" || seen[p] || stuckOnly && p.parkEvt.Reason == catalogue.ParkNotForUs {
			return
		}
		seen[p] = true
		out = append(out, *p.parkEvt)
	}
	for _, l := range a.logs {
		for _, p := range l.pins {
			add(p)
		}
	}
	// Compaction keeps waiting pins on their contexts and unplaced ones in
	// the index even when their log left the list.
	for _, c := range a.contexts {
		for i := c.head; i < c.end(); i++ {
			add(c.at(i))
		}
	}
	for _, list := range a.unplaced {
		for _, p := range list {
			add(p)
		}
	}
	slices.SortFunc(out, func(x, y catalogue.PinParked) int {
		return posOf(x.Pin.Location, x.Pin.Index).compare(posOf(y.Pin.Location, y.Pin.Index))
	})
	return out
}

// Contexts implements View.
func (a *Aggregator) Contexts() []ContextState {
	var out []ContextState
	for _, c := range a.contexts {
		if c.digest.Count() == 0 {
			continue
		}
		s := ContextState{Context: c.hash, Topic: c.topic, Digest: c.digest}
		if c.group != nil {
			g := c.group.hash
			s.Group = &g
		}
		out = append(out, s)
	}
	slices.SortFunc(out, func(x, y ContextState) int { return bytes.Compare(x.Context[:], y.Context[:]) })
	return out
}

// Digests implements View.
func (a *Aggregator) Digests() (Digests, error) {
	broadcast := map[protocol.Hash]protocol.ContextDigest{}
	groups := map[protocol.Hash]map[protocol.Hash]protocol.ContextDigest{}
	for _, c := range a.Contexts() {
		if c.Group == nil {
			broadcast[c.Context] = c.Digest
			continue
		}
		if groups[*c.Group] == nil {
			groups[*c.Group] = map[protocol.Hash]protocol.ContextDigest{}
		}
		groups[*c.Group][c.Context] = c.Digest
	}
	var d Digests
	var err error
	if d.Broadcast, err = protocol.NamespaceDigest(broadcast); err != nil {
		return Digests{}, err
	}
	d.Groups = map[protocol.Hash]protocol.Hash{}
	for g, contexts := range groups {
		if d.Groups[g], err = protocol.NamespaceDigest(contexts); err != nil {
			return Digests{}, err
		}
	}
	return d, nil
}
