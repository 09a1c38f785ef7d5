package sqlite

import (
	"context"
	"database/sql"
	"errors"
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

// writer is the store's only writing goroutine. It owns the write connection
// and everything that must agree with the committed file: the head, the next
// position, the stream revision cache and the unindexed tail of event ids.
type writer struct {
	s    *Store
	log  zerolog.Logger
	conn *sql.Conn
	st   *writerStatements

	queue    chan *appendRequest
	quit     chan struct{}
	stopped  chan struct{}
	stopOnce sync.Once
	maxBatch int

	head         event.Position // last committed position
	next         event.Position // next position to assign in the open transaction
	txFirst      event.Position // first position of the open transaction
	lastRecorded int64
	recorded     any // this transaction's recorded time, boxed once
	recordedAt   time.Time
	revisions    revisionCache
	ids          idIndex
	// stale: a write transaction failed, so the state above may disagree
	// with the file (the failure may even have come after the commit). No
	// transaction starts until reload has read it back.
	stale bool
	hooks *testHooks

	pending []pendingRow // checked rows not yet inserted
	// inserted are the events this transaction wrote, in position order, for
	// the live tail once it commits.
	inserted []event.Event
	args     []any
	group    []*appendRequest
	carry    *appendRequest // dequeued but left for the next group (too big)
}

// pendingRow is an event that passed its checks and waits in the current
// transaction's insert buffer.
type pendingRow struct {
	req *appendRequest
	i   int
	pos event.Position
	rev event.Revision
}

func newWriter(ctx context.Context, s *Store, conn *sql.Conn) (*writer, error) {
	w := &writer{
		s:        s,
		log:      s.log,
		conn:     conn,
		queue:    make(chan *appendRequest, queueLength),
		quit:     make(chan struct{}),
		stopped:  make(chan struct{}),
		maxBatch: s.cfg.MaxBatch,
		hooks:    s.cfg.hooks,
	}
	var err error
	if w.st, err = prepareWriter(ctx, conn); err != nil {
		return nil, err
	}
	w.revisions.init(w.st)
	w.ids.init(w.st, s.cfg.idMergeAt)
	if err := w.load(ctx); err != nil {
		return nil, err
	}
	if w.ids.needsMerge() {
		if err := w.merge(ctx); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// load reads the writer's state from the file: on open, and after a failed
// transaction, when memory can no longer be trusted. On error the state is
// partly updated and the writer must stay stale.
func (w *writer) load(ctx context.Context) error {
	var head, recorded int64
	err := w.conn.QueryRowContext(ctx, "SELECT position, recorded FROM events ORDER BY position DESC LIMIT 1").Scan(&head, &recorded)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	w.head = event.Position(head)
	w.lastRecorded = max(w.lastRecorded, recorded)
	w.next = w.head + 1
	w.pending = w.pending[:0]
	w.revisions.reset()
	return w.ids.load(ctx, w.conn)
}

// reload brings a stale writer back in line with the file, and publishes the
// head if a transaction reported as failed had committed after all.
func (w *writer) reload(ctx context.Context) error {
	if !w.stale {
		return nil
	}
	if err := w.load(ctx); err != nil {
		return err
	}
	w.stale = false
	if head := uint64(w.head); head > w.s.head.Load() {
		w.s.head.Store(head)
		w.s.commit.broadcast()
	}
	return nil
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
		if !w.stale && w.ids.needsMerge() {
			if err := w.merge(context.Background()); err != nil {
				w.log.Error().Err(err).Msg("merging event ids into the id index failed; will retry")
			}
		}
		if w.s.ckpt.walTooLong() {
			// See checkpointer: between transactions this copies what is left
			// of the WAL, so the next commit can start it over.
			if _, err := w.st.checkpoint.ExecContext(context.Background()); err != nil {
				w.log.Warn().Err(err).Msg("WAL checkpoint failed")
			}
		}
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

func (w *writer) closeConn() error {
	var err error
	if w.st != nil {
		err = w.st.close()
	}
	if cerr := w.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// nextRecorded is the recorded time of the next transaction: wall-clock UTC,
// but never earlier than the previous one, so recorded times never go
// backwards in position order even if the clock does.
func (w *writer) nextRecorded() int64 {
	now := time.Now().UnixNano()
	if now < w.lastRecorded {
		now = w.lastRecorded
	}
	w.lastRecorded = now
	return now
}
