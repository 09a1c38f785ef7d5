package aggregator

import (
	"encoding/binary"
	"slices"

	"github.com/google/uuid"
)

// confirmedIDs remembers where each message id was confirmed, for the
// duplicate check. Nearly every id is confirmed once, so the first entry is
// stored inline (one map probe, no slice to chase) and the rare others apart.
// Nearly every id asked about is new, and a probe of a map of millions of
// ids is a cache miss, so a Bloom filter answers "never confirmed" first.
type confirmedIDs struct {
	first map[uuid.UUID]confirmedEntry
	more  map[uuid.UUID][]confirmedEntry
	seen  *bloom
}

type confirmedEntry struct {
	pos   pinPos
	batch uuid.UUID
}

func newConfirmedIDs() confirmedIDs {
	return confirmedIDs{first: map[uuid.UUID]confirmedEntry{}, more: map[uuid.UUID][]confirmedEntry{}, seen: newBloom(1 << 16)}
}

func (c confirmedIDs) add(id uuid.UUID, e confirmedEntry) {
	if c.seen.entries >= len(c.seen.bits)*64/bitsPerEntry {
		c.seen.grow(func(add func(uuid.UUID)) {
			for id := range c.first {
				add(id)
			}
		})
	}
	c.seen.add(id)
	if _, ok := c.first[id]; !ok {
		c.first[id] = e
		return
	}
	c.more[id] = append(c.more[id], e)
}

// before returns an entry for id confirmed at a pin before pos.
func (c confirmedIDs) before(id uuid.UUID, pos pinPos) (confirmedEntry, bool) {
	if !c.seen.mayHave(id) {
		return confirmedEntry{}, false
	}
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

// remove forgets the confirmation of id at pos (a revoked decision). The
// filter keeps its bits: a false "maybe" only costs a map probe.
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

// bitsPerEntry sizes the filter: with three probes, about 0.3% false
// positives.
const bitsPerEntry = 12

// bloom is a Bloom filter over message ids. It is never exposed and never
// decides anything alone: "maybe" is checked against the map.
type bloom struct {
	bits    []uint64
	entries int
}

func newBloom(bits int) *bloom { return &bloom{bits: make([]uint64, bits/64)} }

// probes derives three bit positions from the id. Ids are random v4 UUIDs
// in practice; a sender choosing colliding ids only makes lookups slower.
func (b *bloom) probes(id uuid.UUID) [3]uint64 {
	h1 := binary.LittleEndian.Uint64(id[0:8]) * 0x9e3779b97f4a7c15
	h2 := (binary.LittleEndian.Uint64(id[8:16]) ^ h1>>29) * 0xbf58476d1ce4e5b9
	h2 |= 1
	mask := uint64(len(b.bits)*64 - 1)
	return [3]uint64{h1 & mask, (h1 + h2) & mask, (h1 + 2*h2) & mask}
}

func (b *bloom) add(id uuid.UUID) {
	for _, p := range b.probes(id) {
		b.bits[p/64] |= 1 << (p % 64)
	}
	b.entries++
}

func (b *bloom) mayHave(id uuid.UUID) bool {
	for _, p := range b.probes(id) {
		if b.bits[p/64]&(1<<(p%64)) == 0 {
			return false
		}
	}
	return true
}

// grow doubles the filter and re-adds every id that each gives.
func (b *bloom) grow(each func(add func(uuid.UUID))) {
	*b = bloom{bits: make([]uint64, len(b.bits)*2)}
	each(b.add)
}
