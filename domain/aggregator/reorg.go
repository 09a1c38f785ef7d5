package aggregator

import (
	"fmt"
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// remove takes a log off the chain: everything decided, placed or
// registered at or after its position is rewound, the log is dropped, and
// the later logs are admitted again in order.
func (a *Aggregator) remove(v catalogue.PinRemoved) error {
	if v.Namespace != a.cfg.Namespace {
		return nil
	}
	if err := v.Validate(); err != nil {
		return ignored("pin removed: %v", err)
	}
	pos := posOf(v.Location, 0)
	if a.compacted > 0 && pos.block <= a.compacted {
		return fmt.Errorf("%w: log at %s, history kept above block %d", ErrReorgTooDeep, v.Location, a.compacted)
	}
	i, found := slices.BinarySearchFunc(a.logs, pos, func(l *pinLog, p pinPos) int { return l.pos.compare(p) })
	if !found {
		return ignored("pin removed: no log at %s", v.Location)
	}
	l := a.logs[i]
	if l.obs.Location.BlockHash != v.Location.BlockHash || l.obs.Location.TxHash != v.Location.TxHash {
		return ignored("pin removed: the log at %s is in block %s tx %s", v.Location, l.obs.Location.BlockHash, l.obs.Location.TxHash)
	}
	for _, t := range a.logs[i:] {
		if err := a.restore(t.obs.BatchID); err != nil {
			return err
		}
	}
	a.rewind(a.logs[i:])
	l.removed = true
	for _, p := range l.pins {
		a.unpark(p, catalogue.PinRemovedByReorg)
	}
	a.logs = slices.Delete(a.logs, i, i+1)
	if i == len(a.logs) {
		// The newest log went: the chain may now continue from the one
		// before it. Removing an older log leaves the newest where it is.
		a.last = pinPos{block: a.compacted}
		if i > 0 {
			a.last = a.logs[i-1].pos
		}
	}
	a.unindexLog(l)
	for _, t := range a.logs[i:] {
		a.admit(t)
	}
	return nil
}

// rewind undoes, newest position first, every decision and placement of the
// tail logs, so that state is what it was before the first of them.
func (a *Aggregator) rewind(tail []*pinLog) {
	from := tail[0].pos
	for i := len(tail) - 1; i >= 0; i-- {
		l := tail[i]
		for j := len(l.units) - 1; j >= 0; j-- {
			if u := l.units[j]; u.decided {
				a.revoke(u)
			}
		}
		for j := len(l.pins) - 1; j >= 0; j-- {
			a.unplace(l.pins[j])
		}
		for _, p := range l.pins {
			p.unit = nil
		}
		l.batch, l.units, l.complete, l.verdict, l.detail, l.missing = nil, nil, false, "", "", ""
		l.counted = false
	}
	a.registry.rewind(from)
	a.uncounted = slices.DeleteFunc(a.uncounted, func(l *pinLog) bool { return !l.pos.before(from) })
	a.waiters = slices.DeleteFunc(a.waiters, func(u *unit) bool {
		if u.pos.before(from) {
			return false
		}
		u.waiting = false
		return true
	})
}

// revoke undoes a decision and compensates it with DecisionRevoked events.
func (a *Aggregator) revoke(u *unit) {
	for j := len(u.pins) - 1; j >= 0; j-- {
		p := u.pins[j]
		p.decided = false
		if c := p.ctx; c != nil {
			c.digest = p.prev
			c.head = p.qi
		}
	}
	u.decided = false
	l := u.log
	if u.outcome == catalogue.DecisionConfirmed {
		a.confirmed.remove(u.ids[0].id, u.pos)
	}
	for _, id := range u.ids {
		a.emit(catalogue.DecisionRevoked{Namespace: a.cfg.Namespace, MessageID: id.id, BatchID: l.obs.BatchID,
			Decision: u.outcome, Location: l.obs.Location, Reason: "reorg"})
	}
}

// unplace takes a pin off its context (it is the newest there by then) and
// gives its nonce back to the member that owed it.
func (a *Aggregator) unplace(p *pin) {
	c := p.ctx
	if c == nil && p.spent != nil {
		a.giveBackNonce(p.spent, p)
		p.spent = nil
		return
	}
	if c == nil {
		a.dropUnplaced(p)
		return
	}
	// Pins leave newest first, so p is last; should it not be, the queue is
	// kept consistent all the same.
	i := p.qi - c.base
	c.queue = slices.Delete(c.queue, i, i+1)
	for _, q := range c.queue[i:] {
		q.qi--
	}
	if c.head > p.qi {
		c.head--
	}
	if c.hash == a.cdef && !p.decided {
		a.dropPendingDef(p)
	}
	if c.group != nil {
		a.giveBackNonce(c, p)
	}
	p.ctx = nil
}

// giveBackNonce makes p's nonce the one its member owes on c again.
func (a *Aggregator) giveBackNonce(c *contextState, p *pin) {
	delete(a.expect, a.noncePin(c, p.member, c.next[p.member]))
	c.next[p.member] = p.nonce
	a.expect[p.value] = expectation{ctx: c, member: p.member}
}
