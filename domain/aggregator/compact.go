package aggregator

import (
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// compactEvery is how many inputs pass between compactions: often enough to
// bound memory, rarely enough that the scan (the logs inside the window and
// the contexts) costs nothing per input. An input is a log, a checkpoint or
// a batch, about three per batch pinned: 4096 kept the pins of ~1,300
// batches past the window, about 60 MB of each member's heap in bench e2e.
const compactEvery = 256

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
	a.refreeze()
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
	for _, p := range l.pins {
		if !p.decided {
			// Unplaced private pins: their batch may still come and must
			// find the log, which is kept in its cold form if it can be.
			a.tryFreeze(l)
			return
		}
	}
	id := l.obs.BatchID
	if !a.unindexLog(l) {
		return
	}
	for _, p := range l.pins {
		p.unit = nil
	}
	l.batch, l.units = nil, nil
	a.releaseContent(id)
}

// releaseContent lets go of a batch's received copies if a source can give
// them back: the batch may be pinned again (a re-pin after a rejection),
// and decisions must not depend on what was kept in memory.
func (a *Aggregator) releaseContent(id uuid.UUID) {
	if a.source == nil || len(a.batches[id]) == 0 {
		return
	}
	delete(a.batches, id)
	a.released[id] = true
}

// ContentSource gives back received batches whose content the aggregator
// let go of to bound its memory. The Runner reads them from the event store.
type ContentSource interface {
	// ReceivedBatches returns every BatchReceived for id that was applied
	// before the input being applied now, in the order they were applied.
	// An error fails the Apply that needed them.
	ReceivedBatches(id uuid.UUID) ([]catalogue.BatchReceived, error)
}

// UseContentSource lets compaction release the content of settled batches,
// fetching it from src if a batch is pinned again. Without a source, batch
// content stays in memory for good.
func (a *Aggregator) UseContentSource(src ContentSource) { a.source = src }

// restore brings back the content of a released batch before a new log
// that pins it is admitted. It changes nothing if fetching fails.
func (a *Aggregator) restore(id uuid.UUID) error {
	if !a.released[id] {
		return nil
	}
	copies, err := a.source.ReceivedBatches(id)
	if err != nil {
		return fmt.Errorf("batch %s was released and cannot be read back: %w", id, err)
	}
	delete(a.released, id)
	for _, b := range copies {
		if b.Namespace == a.cfg.Namespace && b.BatchID == id && b.Validate() == nil {
			a.batches[id] = append(a.batches[id], parseReceived(b))
		}
	}
	return nil
}

// releaseDecided lets go of a batch's content once every log that pins it
// is decided: a decided unit needs only its ids and pins, even to be
// revoked, and the content comes back from the source if a reorg re-admits
// the log or the batch is pinned again. Keeping content only while it can
// still be judged is what keeps a busy node's heap small.
func (a *Aggregator) releaseDecided(l *pinLog) {
	id := l.obs.BatchID
	logs := a.byBatch[id]
	for _, x := range logs {
		if !x.removed && (x.units == nil || !allDecided(x.units)) {
			return
		}
	}
	for _, x := range logs {
		for _, u := range x.units {
			u.message = nil
		}
		x.batch = nil
	}
	a.releaseContent(id)
}

func allDecided(units []*unit) bool {
	for _, u := range units {
		if !u.decided {
			return false
		}
	}
	return true
}
