package sqlite

import (
	"sync"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// tail is the live tail: the most recently committed events, in memory, so
// a subscription that has caught up takes new events from here instead of
// querying the file, and all subscriptions of a store share one Event (one
// Data, one Memo) per event instead of each reading and decoding its own.
//
// It holds a run of consecutive positions, bounded by count and by bytes,
// oldest evicted first. Only the writer adds to it, after the events'
// transaction committed and before it publishes the new head, so everything
// in it is committed and nothing at or below the head is missing from both
// the tail and the file. A commit the writer could not add (one whose COMMIT
// reported an error yet reached the file) leaves a gap; the next push then
// starts the tail over, and subscriptions read the gap from the file.
type tail struct {
	mu        sync.RWMutex
	ring      []tailEntry // circular; grows up to maxEvents
	start     int         // index of the oldest entry
	n         int
	first     event.Position // position of the oldest entry, when n > 0
	bytes     int
	maxEvents int
	maxBytes  int
}

type tailEntry struct {
	ev   event.Event
	size int
}

// tailEventOverhead approximates what an event costs in memory beyond its
// data and strings (the Event, its Memo and a decoded payload's structure).
const tailEventOverhead = 256

// tailInitial is the ring's first allocation; it doubles up to maxEvents.
const tailInitial = 256

func newTail(maxEvents, maxBytes int) *tail {
	return &tail{maxEvents: maxEvents, maxBytes: maxBytes}
}

// eventSize is what ev counts against the tail's byte bound.
func eventSize(ev *event.Event) int {
	m := &ev.Metadata
	return tailEventOverhead + len(ev.Data) + len(ev.Stream) + len(ev.Type) +
		len(m.CorrelationID) + len(m.CausationID) + len(m.Node) + len(m.Namespace)
}

// push adds committed events in position order. Where one does not follow
// the newest event held, the tail starts over with it: the tail is always one
// run of consecutive positions.
func (t *tail) push(evs []event.Event) {
	if len(evs) == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	for i := range evs {
		if t.n > 0 && evs[i].Position != t.first+event.Position(t.n) {
			for t.n > 0 {
				t.evict()
			}
		}
		if t.n == len(t.ring) {
			if len(t.ring) < t.maxEvents {
				t.grow()
			} else {
				t.evict()
			}
		}
		if t.n == 0 {
			t.start, t.first = 0, evs[i].Position
		}
		size := eventSize(&evs[i])
		t.ring[(t.start+t.n)%len(t.ring)] = tailEntry{ev: evs[i], size: size}
		t.n++
		t.bytes += size
		for t.bytes > t.maxBytes && t.n > 0 {
			t.evict()
		}
	}
}

func (t *tail) grow() {
	ring := make([]tailEntry, min(max(2*len(t.ring), tailInitial), t.maxEvents))
	for i := range t.n {
		ring[i] = t.ring[(t.start+i)%len(t.ring)]
	}
	t.ring, t.start = ring, 0
}

func (t *tail) evict() {
	t.bytes -= t.ring[t.start].size
	t.ring[t.start] = tailEntry{} // let go of the event's data and payload
	t.start = (t.start + 1) % len(t.ring)
	t.first++
	t.n--
}

// after appends to dst up to limit events with positions after pos, if the
// tail holds the event right after pos; otherwise (pos is behind the tail,
// or nothing newer is held) it returns dst unchanged, and the caller reads
// the file.
func (t *tail) after(pos event.Position, limit int, dst []event.Event) []event.Event {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if t.n == 0 || pos+1 < t.first || pos+1 >= t.first+event.Position(t.n) {
		return dst
	}
	off := int(pos + 1 - t.first)
	for i := off; i < t.n && i-off < limit; i++ {
		dst = append(dst, t.ring[(t.start+i)%len(t.ring)].ev)
	}
	return dst
}
