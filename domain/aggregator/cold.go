package aggregator

import (
	"slices"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Cold logs.
//
// A private pin of a group this node is not in can never be placed: the
// group's batches never come here. But nothing tells it apart from a pin
// whose batch is only late, so it must be kept for good, in case a batch
// makes its context known (discover) or its own batch arrives. Kept as a
// pinLog with its pins, each parked with its PinParked, it cost ~580 bytes
// a pin, for every private message of every group the node is not in.
//
// Compaction therefore freezes such a log once it is past the reorg window:
// what stays is the PinObserved (from which the log is rebuilt, exactly as
// it was) and one entry per pin in the cold index, by pin value: ~80 bytes
// a pin. The inputs that can change such a log thaw it first: its batch
// arriving (receiveBatch) or another log of the same batch (observe), by
// batch id; a context becoming known, by pin value (takeUnplaced).
// Nothing else looks at it: it is not on a context, not bound, not queued,
// and a reorg cannot reach past the window.
//
// A log is frozen only when nothing else can refer to it: it is the only
// log of its batch and no other cold pin has one of its values, so the
// cold index needs one entry per value and a batch id maps to one log. A
// log that cannot be frozen yet (not confirmed, say) waits in toFreeze for
// a later compaction, as does a thawed one.

// coldLog is a frozen log: its observation, from which thaw rebuilds it.
type coldLog struct {
	obs catalogue.PinObserved
}

// freezable reports whether l is a settled log of private pins nobody here
// can place, and nothing but its batch or its context can change it.
func (a *Aggregator) freezable(l *pinLog) bool {
	if neverFreezable(l) || !l.counted || l.complete || l.whole || l.verdict != "" || l.missing != "" {
		return false
	}
	if logs := a.byBatch[l.obs.BatchID]; len(logs) != 1 || logs[0] != l || a.coldBatch[l.obs.BatchID] != nil {
		return false
	}
	for _, p := range l.pins {
		if p.unit != nil || p.queued || p.parked != string(catalogue.ParkNotForUs) {
			return false
		}
	}
	return true
}

// freeze replaces l by its cold form, unless one of its pin values is cold
// already (a value pinned twice). It reports whether it did.
func (a *Aggregator) freeze(l *pinLog) bool {
	c := &coldLog{obs: l.obs}
	for i, p := range l.pins {
		if _, dup := a.cold[p.value]; dup {
			for _, q := range l.pins[:i] {
				delete(a.cold, q.value)
			}
			return false
		}
		a.cold[p.value] = c
	}
	for _, p := range l.pins {
		a.dropUnplaced(p)
	}
	a.unindexLog(l)
	a.coldBatch[l.obs.BatchID] = c
	return true
}

// thawBatch rebuilds the cold log of batch id, if there is one.
func (a *Aggregator) thawBatch(id uuid.UUID) {
	if c := a.coldBatch[id]; c != nil {
		a.thaw(c)
	}
}

// thawPin rebuilds the cold log holding a pin of value v, if there is one.
func (a *Aggregator) thawPin(v protocol.Hash) {
	if c := a.cold[v]; c != nil {
		a.thaw(c)
	}
}

// thaw rebuilds a frozen log as it was when frozen: its pins unplaced and
// parked not-for-us, in the unplaced index in chain order, and the log the
// only one of its batch. It is remembered (toFreeze) so a later compaction
// can freeze it again if nothing placed it.
func (a *Aggregator) thaw(c *coldLog) {
	delete(a.coldBatch, c.obs.BatchID)
	l := a.newLog(c.obs)
	l.counted = true
	for _, p := range l.pins {
		p.parked, p.parkEvt = a.parking(p, catalogue.ParkNotForUs, nil, notForUsDetail(l))
		delete(a.cold, p.value)
		a.insertUnplaced(p)
	}
	a.byBatch[c.obs.BatchID] = []*pinLog{l}
	a.toFreeze = append(a.toFreeze, l)
}

// insertUnplaced adds p to the unplaced index in chain order.
func (a *Aggregator) insertUnplaced(p *pin) {
	list := a.unplaced[p.value]
	i, _ := slices.BinarySearchFunc(list, p.pos, func(q *pin, pos pinPos) int { return q.pos.compare(pos) })
	a.unplaced[p.value] = slices.Insert(list, i, p)
}

// tryFreeze freezes l if it can be, else remembers it (toFreeze) if it may
// be later: once it has its confirmations, once its batch's other log is
// gone, once a value it shares is thawed.
func (a *Aggregator) tryFreeze(l *pinLog) {
	if !a.settleFrozen(l) {
		a.toFreeze = append(a.toFreeze, l)
	}
}

// refreeze freezes the logs that were waiting to be (toFreeze) and can be
// now, and forgets those that never can (something placed or bound them:
// they live on where that put them).
func (a *Aggregator) refreeze() {
	a.toFreeze = slices.DeleteFunc(a.toFreeze, a.settleFrozen)
}

// settleFrozen freezes l if it can be now, and reports whether l is done
// with: frozen, or never freezable.
func (a *Aggregator) settleFrozen(l *pinLog) bool {
	return a.freezable(l) && a.freeze(l) || neverFreezable(l)
}

// neverFreezable reports whether l can never be frozen: a reorg removed it,
// its batch is bound, or one of its pins was placed or decided.
func neverFreezable(l *pinLog) bool {
	if !l.private || l.removed || l.batch != nil || l.units != nil {
		return true
	}
	for _, p := range l.pins {
		if p.ctx != nil || p.decided || p.spent != nil {
			return true
		}
	}
	return false
}
