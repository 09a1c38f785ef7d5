package sqlite

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// commitGroup commits a group of appends in one transaction. Each append is
// checked on its own (idempotency, then expected revision) before any of its
// rows is written, so an append that fails its checks fails alone and leaves
// nothing to undo. If the transaction itself fails (I/O, disk full), the
// writer reloads its state from the file and retries each append in a
// transaction of its own, so one bad append cannot sink the others.
//
// A failed COMMIT may still have reached the file (an error after the commit
// record was written). With one writer per file that is certain exactly when
// the reloaded head is the transaction's last position: every append of the
// group then keeps the outcome it was given in that transaction. Retrying
// instead would report a first append as a Duplicate of itself, or as
// cancelled (with its events stored) if its context ended meanwhile.
func (w *writer) commitGroup(group []*appendRequest) {
	err := w.runTx(group)
	if err == nil {
		return
	}
	err = fmt.Errorf("sqlite event store: %w", err)
	first, last := w.txFirst, w.next-1 // the transaction's positions, if it wrote any
	w.recover()
	if errors.Is(err, errCommit) && !w.stale && last >= first && w.head == last {
		w.log.Warn().Err(err).Int("appends", len(group)).Uint64("head", uint64(w.head)).
			Msg("commit reported an error but reached the file; its results stand")
		return
	}
	if len(group) == 1 || errors.Is(err, errBegin) {
		// Nothing of the group was tried (e.g. another process held the
		// write lock past the busy timeout), or the one append failed:
		// retrying would only fail again.
		w.log.Error().Err(err).Int("appends", len(group)).Msg("append failed")
		for _, r := range group {
			r.result, r.err = event.AppendResult{}, err
		}
		return
	}
	w.log.Error().Err(err).Int("appends", len(group)).Msg("group commit failed; retrying appends one by one")
	for _, r := range group {
		r.result, r.err = event.AppendResult{}, nil
		if err := w.runTx([]*appendRequest{r}); err != nil {
			r.result, r.err = event.AppendResult{}, fmt.Errorf("sqlite event store: %w", err)
			w.recover()
		}
	}
}

// errBegin marks a transaction that could not even start; errCommit one
// whose COMMIT reported an error, which does not prove it did not commit.
var (
	errBegin  = errors.New("begin transaction")
	errCommit = errors.New("commit")
)

// runTx runs one transaction over group. It returns an error only when the
// transaction failed as a whole; an append's own failure is left in its err.
func (w *writer) runTx(group []*appendRequest) error {
	ctx := context.Background()
	if err := w.reload(ctx); err != nil {
		return fmt.Errorf("%w: reload writer state: %w", errBegin, err)
	}
	if _, err := w.st.begin.ExecContext(ctx); err != nil {
		return fmt.Errorf("%w: %w", errBegin, err)
	}
	w.txFirst = w.next
	rec := w.nextRecorded()
	w.recorded, w.recordedAt = rec, time.Unix(0, rec).UTC()
	clear(w.inserted)
	w.inserted = w.inserted[:0]
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = err // not written yet: the caller's cancellation still wins
			continue
		}
		if err := w.apply(r); err != nil {
			return err
		}
	}
	if err := w.flush(); err != nil {
		return err
	}
	if _, err := w.st.commit.ExecContext(ctx); err != nil {
		return fmt.Errorf("%w: %w", errCommit, err)
	}
	if h := w.hooks; h != nil && h.afterCommit != nil {
		if err := h.afterCommit(); err != nil {
			return fmt.Errorf("%w: %w", errCommit, err)
		}
	}
	w.revisions.committed()
	if last := w.next - 1; last > w.head {
		first := w.head + 1
		w.head = last
		// The tail first, then the head: a subscription that sees the new
		// head finds the events in the tail (or, failing that, the file).
		w.s.tail.push(w.inserted)
		clear(w.inserted)
		w.inserted = w.inserted[:0]
		// Publish before the appenders hear back, so an appender that reads
		// right after Append returns sees its own events.
		w.s.head.Store(uint64(last))
		w.s.commit.broadcast()
		w.s.ckpt.poke()
		w.log.Debug().Uint64("first_position", uint64(first)).Uint64("last_position", uint64(last)).
			Int("appends", len(group)).Msg("committed")
	}
	return nil
}

// recover rolls back whatever is open and reloads the writer's state from the
// file, dropping every cached value the failed transaction may have touched.
// If the reload fails too the writer stays stale, and the next transaction
// tries again before it starts.
func (w *writer) recover() {
	ctx := context.Background()
	_, _ = w.st.rollback.ExecContext(ctx) // fails harmlessly if nothing is open
	clear(w.pending)
	w.pending = w.pending[:0]
	w.stale = true
	if err := w.reload(ctx); err != nil {
		w.log.Error().Err(err).Msg("reloading writer state failed; will retry before the next transaction")
	}
}

// apply checks one append and buffers its rows. Its own failure goes to r.err;
// the returned error means the transaction is broken.
func (w *writer) apply(r *appendRequest) error {
	found, nFound, err := w.ids.lookup(r)
	if err != nil {
		return fmt.Errorf("look up event ids: %w", err)
	}
	if nFound > 0 {
		// The stored events may be in this transaction's insert buffer.
		if err := w.flush(); err != nil {
			return err
		}
		return w.duplicate(r, found, nFound)
	}
	current, err := w.revisions.get(r.stream)
	if err != nil {
		return fmt.Errorf("read revision of %q: %w", r.stream, err)
	}
	if !r.expected.Allows(current) {
		r.err = &event.WrongRevisionError{Stream: r.stream, Expected: r.expected, Actual: current}
		return nil
	}
	first := w.next
	for i := range r.events {
		current++
		w.pending = append(w.pending, pendingRow{req: r, i: i, pos: w.next, rev: current})
		w.ids.add(r.events[i].ID, w.next)
		w.next++
	}
	w.revisions.set(r.stream, current)
	r.result = event.AppendResult{FirstPosition: first, LastPosition: w.next - 1, Revision: current}
	return nil
}

// duplicate decides a retried append: every id stored in this stream with the
// same content makes it a no-op returning where the events are; anything
// else is a *event.DuplicateEventIDError.
func (w *writer) duplicate(r *appendRequest, found []event.Position, nFound int) error {
	if nFound < len(r.events) {
		stored, missing := -1, -1
		for i, pos := range found {
			switch {
			case pos == 0 && missing < 0:
				missing = i
			case pos != 0 && stored < 0:
				stored = i
			}
		}
		r.err = &event.DuplicateEventIDError{ID: r.events[stored].ID, Reason: fmt.Sprintf(
			"already stored, but event %s of the same append is not: a retry must repeat the original append", r.events[missing].ID)}
		return nil
	}
	res := event.AppendResult{Duplicate: true}
	for i, pos := range found {
		stored, err := w.st.eventAt(pos)
		if err != nil {
			return fmt.Errorf("read stored event at %d: %w", pos, err)
		}
		p := r.events[i]
		if !event.SameContent(stored, r.stream, p) {
			reason := "already stored with different type, version or data"
			if stored.Stream != r.stream {
				reason = fmt.Sprintf("already stored in stream %q", stored.Stream)
			}
			r.err = &event.DuplicateEventIDError{ID: p.ID, Reason: reason}
			return nil
		}
		if res.FirstPosition == 0 || pos < res.FirstPosition {
			res.FirstPosition = pos
		}
		res.LastPosition = max(res.LastPosition, pos)
		res.Revision = max(res.Revision, stored.Revision)
	}
	r.result = res
	return nil
}

// flush inserts the buffered rows with multi-row INSERTs of power-of-two
// sizes, so a handful of prepared statements covers any batch.
func (w *writer) flush() error {
	rows := w.pending
	for len(rows) > 0 {
		n := insertChunk(len(rows))
		stmt, err := w.st.insert(n)
		if err != nil {
			return err
		}
		args := w.args[:0]
		for _, p := range rows[:n] {
			ra := &p.req.rows[p.i]
			args = append(args, int64(p.pos), ra.id, p.req.streamArg, int64(p.rev), ra.typ, ra.version, w.recorded, ra.data, ra.meta)
			ev := p.req.stored[p.i]
			ev.Position, ev.Revision, ev.Recorded = p.pos, p.rev, w.recordedAt
			w.inserted = append(w.inserted, ev)
		}
		_, err = stmt.ExecContext(context.Background(), args...)
		clear(args)
		w.args = args[:0]
		if err != nil {
			return fmt.Errorf("insert events at %d: %w", rows[0].pos, err)
		}
		rows = rows[n:]
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	return nil
}

// maxInsertRows is the largest multi-row INSERT (9 parameters a row).
const maxInsertRows = 64

// insertChunk is the largest power of two <= min(n, maxInsertRows).
func insertChunk(n int) int {
	c := maxInsertRows
	for c > n {
		c >>= 1
	}
	return c
}
