package aggregator

import (
	"slices"

	"github.com/google/uuid"
)

// confirmedIDs remembers where each message id was confirmed, for the
// duplicate check. Nearly every id is confirmed once, so the first entry is
// stored inline (one map probe, no slice to chase) and the rare others apart.
type confirmedIDs struct {
	first map[uuid.UUID]confirmedEntry
	more  map[uuid.UUID][]confirmedEntry
}

type confirmedEntry struct {
	pos   pinPos
	batch uuid.UUID
}

func newConfirmedIDs() confirmedIDs {
	return confirmedIDs{first: map[uuid.UUID]confirmedEntry{}, more: map[uuid.UUID][]confirmedEntry{}}
}

func (c confirmedIDs) add(id uuid.UUID, e confirmedEntry) {
	if _, ok := c.first[id]; !ok {
		c.first[id] = e
		return
	}
	c.more[id] = append(c.more[id], e)
}

// before returns an entry for id confirmed at a pin before pos.
func (c confirmedIDs) before(id uuid.UUID, pos pinPos) (confirmedEntry, bool) {
	e, ok := c.first[id]
	if !ok {
		return confirmedEntry{}, false
	}
	if e.pos.before(pos) {
		return e, true
	}
	for _, e := range c.more[id] {
		if e.pos.before(pos) {
			return e, true
		}
	}
	return confirmedEntry{}, false
}

// remove forgets the confirmation of id at pos (a revoked decision).
func (c confirmedIDs) remove(id uuid.UUID, pos pinPos) {
	more := c.more[id]
	if e, ok := c.first[id]; ok && e.pos == pos {
		if len(more) == 0 {
			delete(c.first, id)
			return
		}
		c.first[id], more = more[0], more[1:]
	} else {
		more = slices.DeleteFunc(more, func(e confirmedEntry) bool { return e.pos == pos })
	}
	if len(more) == 0 {
		delete(c.more, id)
	} else {
		c.more[id] = more
	}
}
