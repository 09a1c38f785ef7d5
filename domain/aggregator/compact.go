package aggregator

import "slices"

// compactEvery is how many inputs pass between compactions: often enough to
// bound memory, rarely enough that the scan costs nothing per input.
const compactEvery = 4096

// maybeCompact forgets the history of logs more than ReorgWindow blocks
// behind the head once nothing about them can change but a reorg that deep:
// settled logs leave the log list, decided pins leave their context queues,
// and batch content nobody needs is released. Pins still waiting stay, and so
// do unplaced private pins, which a late batch may still place.
func (a *Aggregator) maybeCompact() {
	if a.cfg.ReorgWindow == Unlimited {
		return
	}
	if a.sinceGC++; a.sinceGC < compactEvery {
		return
	}
	a.sinceGC = 0
	var head uint64
	for _, h := range a.heads {
		head = max(head, h)
	}
	if head <= a.cfg.ReorgWindow {
		return
	}
	horizon := head - a.cfg.ReorgWindow
	if horizon <= a.compacted {
		return
	}
	a.compacted = horizon
	a.logs = slices.DeleteFunc(a.logs, func(l *pinLog) bool {
		if l.pos.block > horizon || !settled(l) {
			return false
		}
		a.release(l)
		return true
	})
	for _, c := range a.contexts {
		k := 0
		for k < c.head-c.base && c.queue[k].pos.block <= horizon {
			k++
		}
		if k > 0 {
			c.queue = slices.Clone(c.queue[k:])
			c.base += k
		}
	}
}

// settled reports whether nothing but a reorg can change a log: every pin is
// decided, or the log is private pins nobody here can place.
func settled(l *pinLog) bool {
	for _, p := range l.pins {
		if !p.decided && (p.ctx != nil || l.batch != nil) {
			return false
		}
	}
	return true
}

// release drops what only a rewind would need from a settled log.
func (a *Aggregator) release(l *pinLog) {
	if l.batch == nil {
		// Unplaced private pins: their batch may still come and must find them.
		return
	}
	id := l.obs.BatchID
	a.byBatch[id] = slices.DeleteFunc(a.byBatch[id], func(x *pinLog) bool { return x == l })
	if len(a.byBatch[id]) > 0 {
		return
	}
	delete(a.byBatch, id)
	delete(a.batches, id)
	for _, p := range l.pins {
		p.unit = nil
	}
	l.batch, l.units = nil, nil
}
