package aggregator

import (
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// chainKey names the chain and contract a log is on, for counting its
// confirmations. Consecutive logs share it, so the last one is reused.
func (a *Aggregator) chainKey(chain, contract string) string {
	if n := len(chain); len(a.lastKey) == n+1+len(contract) && a.lastKey[:n] == chain && a.lastKey[n+1:] == contract {
		return a.lastKey
	}
	a.lastKey = chain + "/" + contract
	return a.lastKey
}

// observe takes a new log, which must come after every log seen.
func (a *Aggregator) observe(v catalogue.PinObserved) error {
	if v.Namespace != a.cfg.Namespace {
		return nil
	}
	if err := v.Validate(); err != nil {
		return ignored("pin observed: %v", err)
	}
	pos := posOf(v.Location, 0)
	if a.observed && !a.last.before(pos) || pos.block <= a.compacted && a.compacted > 0 {
		return ignored("pin observed at %s, not after the last log at block %d", v.Location, a.last.block)
	}
	if err := a.restore(v.BatchID); err != nil {
		return err
	}
	// A frozen log of the same batch is thawed first: the new log joins
	// it in byBatch, as if it had never been frozen (cold.go).
	a.thawBatch(v.BatchID)
	a.observed, a.last = true, pos
	l := a.newLog(v)
	a.logs = append(a.logs, l)
	a.byBatch[v.BatchID] = append(a.byBatch[v.BatchID], l)
	a.raiseHead(l.key, pos.block)
	a.admit(l)
	return nil
}

// newLog makes the log of v with its pins, neither placed nor counted.
func (a *Aggregator) newLog(v catalogue.PinObserved) *pinLog {
	l := &pinLog{obs: v, pos: posOf(v.Location, 0), private: v.PayloadRef == "",
		key: a.chainKey(v.Location.Chain, v.Location.Contract)}
	pins := make([]pin, len(v.Contexts))
	l.pins = make([]*pin, len(v.Contexts))
	for i, value := range v.Contexts {
		pins[i] = pin{log: l, index: uint32(i), pos: posOf(v.Location, uint32(i)), value: value}
		l.pins[i] = &pins[i]
	}
	return l
}

// admit places a log's pins, counts it and binds its batch. It runs for new
// logs and again for the logs a reorg rewound.
func (a *Aggregator) admit(l *pinLog) {
	for _, p := range l.pins {
		a.place(p)
	}
	l.counted = a.heads[l.key] >= l.pos.block+a.cfg.Confirmations
	if !l.counted {
		a.uncounted = append(a.uncounted, l)
	}
	if r := a.pickBatch(l); r != nil {
		a.bind(l, r)
	}
	a.enqueueLog(l)
}

// place puts a pin on its context: a broadcast pin on the context it names, a
// private pin where it is some member's expected next nonce pin.
func (a *Aggregator) place(p *pin) {
	if !p.log.private {
		c := a.contexts[p.value]
		if c == nil {
			c = &contextState{hash: p.value}
			a.contexts[p.value] = c
		}
		c.push(p)
		if p.value == a.cdef {
			signer := p.log.obs.Signer
			a.pendingDefs[signer] = append(a.pendingDefs[signer], p)
		}
		return
	}
	e, ok := a.expect[p.value]
	if !ok {
		a.unplaced[p.value] = append(a.unplaced[p.value], p)
		return
	}
	a.placePrivate(p, e.ctx, e.member)
}

// placePrivate puts p on c as member's next nonce pin and moves the
// expectation on.
func (a *Aggregator) placePrivate(p *pin, c *contextState, member protocol.OrgDID) {
	n := c.next[member]
	delete(a.expect, p.value)
	p.member, p.nonce = member, n
	c.push(p)
	c.next[member] = n + 1
	a.expect[a.noncePin(c, member, n+1)] = expectation{ctx: c, member: member}
}

func (a *Aggregator) noncePin(c *contextState, member protocol.OrgDID, n uint64) protocol.Hash {
	return protocol.NoncePin(a.cfg.Namespace, c.topic, c.group.hash, member, n)
}

// discover makes a private context known: for each group member it places
// the pins already observed that are its nonce pins 0, 1, ... in chain order,
// exactly as if the context had been known when they were observed, and
// expects the next one.
func (a *Aggregator) discover(topic string, g *groupState) *contextState {
	hash := protocol.PrivateContext(a.cfg.Namespace, topic, g.hash)
	if c := a.contexts[hash]; c != nil {
		return c
	}
	c := &contextState{hash: hash, group: g, topic: topic, next: map[protocol.OrgDID]uint64{}}
	a.contexts[hash] = c
	placed := false
	for _, m := range g.members {
		var after *pinPos
		for n := uint64(0); ; n++ {
			v := a.noncePin(c, m, n)
			p := a.takeUnplaced(v, after)
			if p == nil {
				c.next[m] = n
				a.expect[v] = expectation{ctx: c, member: m}
				break
			}
			p.member, p.nonce = m, n
			after = &p.pos
			if p.decided {
				// Decided while unplaced (a rejected message): it counts
				// as m's nonce pin but has nothing left to block.
				p.spent = c
				continue
			}
			c.push(p)
			placed = true
		}
	}
	if placed {
		c.sortQueue()
		for i := c.head; i < c.end(); i++ {
			a.enqueue(c.at(i))
		}
	}
	return c
}

// takeUnplaced removes and returns the first unplaced pin with value v after
// pos (any position when pos is nil).
func (a *Aggregator) takeUnplaced(v protocol.Hash, after *pinPos) *pin {
	a.thawPin(v)
	for _, p := range a.unplaced[v] {
		if after == nil || after.before(p.pos) {
			a.dropUnplaced(p)
			return p
		}
	}
	return nil
}

func (a *Aggregator) raiseHead(key string, block uint64) {
	if block <= a.heads[key] && a.heads[key] != 0 {
		return
	}
	a.heads[key] = block
	a.countLogs()
}

// checkpoint moves the chain head, which may give waiting logs their
// confirmations.
func (a *Aggregator) checkpoint(v catalogue.ChainCheckpoint) {
	a.raiseHead(a.chainKey(v.Chain, v.Contract), v.BlockNumber)
}

// countLogs counts the waiting logs that now have their confirmations. They
// are a suffix of the chain, so it stops at the first that has not.
func (a *Aggregator) countLogs() {
	i := 0
	for ; i < len(a.uncounted); i++ {
		l := a.uncounted[i]
		if l.removed {
			continue
		}
		if a.heads[l.key] < l.pos.block+a.cfg.Confirmations {
			break
		}
		l.counted = true
		a.enqueueLog(l)
	}
	a.uncounted = append(a.uncounted[:0], a.uncounted[i:]...)
}

// unindexLog takes l out of the logs pinning its batch and reports whether
// no log pins the batch any more.
func (a *Aggregator) unindexLog(l *pinLog) bool {
	id := l.obs.BatchID
	logs := slices.DeleteFunc(a.byBatch[id], func(x *pinLog) bool { return x == l })
	if len(logs) == 0 {
		delete(a.byBatch, id)
		return true
	}
	a.byBatch[id] = logs
	return false
}
