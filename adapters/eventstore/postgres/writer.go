package postgres

import (
	"runtime"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// maxGroupBytes bounds the payload one group commit gathers, so a burst of
// large events does not become one huge transaction. A single larger append
// still commits, alone.
const maxGroupBytes = 16 << 20

// queueLength is how many appends may wait for the writer before Append
// blocks (still honouring its context).
const queueLength = 4096

// writer is the Store's only writing goroutine: it gathers queued appends
// into one transaction (group commit), so concurrent appenders in one
// process share the transaction and its commit instead of queueing on the
// position counter's row lock one by one. Other processes' writers still
// take turns with it on that lock.
type writer struct {
	s        *Store
	log      zerolog.Logger
	hooks    *testHooks
	queue    chan *appendRequest
	quit     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
	maxBatch int

	lastRecorded time.Time
	group        []*appendRequest
	carry        *appendRequest // dequeued but left for the next group (too big)
	tx           txBuffers
}

func newWriter(s *Store) *writer {
	return &writer{
		s:        s,
		log:      s.log,
		hooks:    s.cfg.hooks,
		queue:    make(chan *appendRequest, queueLength),
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
		maxBatch: s.cfg.MaxBatch,
	}
}

func (w *writer) run() {
	defer close(w.stopped)
	for {
		group := w.collect()
		if group == nil {
			w.drain()
			return
		}
		w.commitGroup(group)
		for _, r := range group {
			close(r.done)
		}
		clear(group)
	}
}

// collect blocks for the next append, then takes whatever else is queued up
// to MaxBatch events. It returns nil when the store is closing.
func (w *writer) collect() []*appendRequest {
	for {
		select {
		case <-w.quit:
			return nil
		default:
		}
		first := w.carry
		w.carry = nil
		if first == nil {
			select {
			case first = <-w.queue:
			case <-w.quit:
				return nil
			}
		}
		// Appenders woken by the previous commit are usually about to
		// queue their next append; on a machine with few cores they often
		// run only once this goroutine yields. With 8 one-event appenders
		// on the 2-core development machine, yielding here took groups from
		// 4 to 7 appends per transaction.
		runtime.Gosched()
		group := w.group[:0]
		events, bytes := 0, 0
		if first.claim() {
			group = append(group, first)
			events, bytes = len(first.events), first.bytes
		}
	more:
		for events < w.maxBatch && bytes < maxGroupBytes {
			select {
			case r := <-w.queue:
				if len(group) > 0 && (events+len(r.events) > w.maxBatch || bytes+r.bytes > maxGroupBytes) {
					w.carry = r
					break more
				}
				if r.claim() {
					group = append(group, r)
					events += len(r.events)
					bytes += r.bytes
				}
			default:
				break more
			}
		}
		w.group = group
		if len(group) > 0 {
			return group
		}
	}
}

// drain fails every append still queued when the store closes.
func (w *writer) drain() {
	fail := func(r *appendRequest) {
		if r.claim() {
			r.err = event.ErrClosed
			close(r.done)
		}
	}
	if w.carry != nil {
		fail(w.carry)
		w.carry = nil
	}
	for {
		select {
		case r := <-w.queue:
			fail(r)
		default:
			return
		}
	}
}

func (w *writer) stop() {
	w.stopOnce.Do(func() { close(w.quit) })
	<-w.stopped
}

// nextRecorded is the recorded time of the next transaction: wall-clock UTC
// at Postgres' microsecond resolution, never earlier than this writer's
// previous one, so recorded times do not go backwards in position order
// even if the clock does (across processes they follow each host's clock).
func (w *writer) nextRecorded() time.Time {
	now := time.Now().UTC().Truncate(time.Microsecond)
	if now.Before(w.lastRecorded) {
		now = w.lastRecorded
	}
	w.lastRecorded = now
	return now
}
