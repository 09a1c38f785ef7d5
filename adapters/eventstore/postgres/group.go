package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// txTimeout bounds one append transaction, so a hung connection cannot hold
// the writer (and Close) forever.
const txTimeout = 30 * time.Second

// maxAttempts is how often one append is tried on its own when its
// transaction fails for a reason a retry can cure (a deadlock, or another
// process inserting the same event id first).
const maxAttempts = 3

// commitGroup commits a group of appends in one transaction. Each append is
// judged on its own (idempotency, then expected revision) before any row is
// written, so an append that fails its checks fails alone. If the
// transaction itself fails, each append is retried in a transaction of its
// own, so one bad append cannot sink the others.
func (w *writer) commitGroup(group []*appendRequest) {
	err := w.runTx(group)
	if err == nil {
		return
	}
	if len(group) == 1 {
		w.retryAlone(group[0], err, 1)
		return
	}
	w.log.Warn().Err(err).Int("appends", len(group)).Msg("group commit failed; retrying appends one by one")
	for _, r := range group {
		w.retryAlone(r, nil, 0)
	}
}

// retryAlone runs r in transactions of its own, after attempts that ended in
// err, until one succeeds, fails for a reason a retry cannot cure, or
// maxAttempts have been made.
func (w *writer) retryAlone(r *appendRequest, err error, attempts int) {
	for {
		if err != nil && (!retryable(err) || attempts >= maxAttempts) {
			r.result, r.err = event.AppendResult{}, fmt.Errorf("postgres event store: %w", err)
			w.log.Error().Err(err).Str("stream", r.stream).Int("attempts", attempts).Msg("append failed")
			return
		}
		r.reset()
		attempts++
		if err = w.runTx([]*appendRequest{r}); err == nil {
			return
		}
	}
}

// retryable reports whether an append's transaction failed for a reason a
// new attempt can cure: a deadlock or serialisation failure, or another
// Store's append of the same event id committing first (the new attempt then
// judges the append against what that one stored).
func retryable(err error) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	switch pgErr.Code {
	case "40P01", "40001": // deadlock_detected, serialization_failure
		return true
	case "23505": // unique_violation
		return pgErr.ConstraintName == "events_id_key"
	}
	return false
}

// Statements of an append transaction. Unqualified names resolve to the
// store's schema (search_path).
const (
	sqlCreateStreams = `INSERT INTO streams (name, revision) SELECT unnest($1::text[]), 0 ON CONFLICT DO NOTHING`
	// ORDER BY makes every writer lock stream rows in the same order, so two
	// multi-stream groups cannot deadlock on them.
	sqlLockStreams  = `SELECT name, revision FROM streams WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE`
	sqlStoredIDs    = `SELECT id, stream, revision, position, type, version, data FROM events WHERE id = ANY($1::uuid[])`
	sqlSetRevisions = `UPDATE streams SET revision = v.revision
		FROM unnest($1::text[], $2::bigint[]) AS v(name, revision) WHERE streams.name = v.name`
	// Taken last, just before the rows go in: from here to COMMIT this
	// transaction holds the counter's row lock (see doc.go).
	sqlAdvanceHead = `UPDATE store_head SET position = position + $1 RETURNING position`
	// Positions are head-after-advance - n + offset (offsets 1..n), read in
	// the same transaction that advanced the head.
	sqlInsertEvents = `INSERT INTO events (position, id, stream, revision, type, version, recorded, data,
			correlation_id, causation_id, node, namespace)
		SELECT h.position - $1 + r.off, r.id, r.stream, r.revision, r.type, r.version, $2, r.data,
			r.correlation_id, r.causation_id, r.node, r.namespace
		FROM store_head h, unnest($3::bigint[], $4::uuid[], $5::text[], $6::bigint[], $7::text[], $8::int[],
			$9::json[], $10::text[], $11::text[], $12::text[], $13::text[])
			AS r(off, id, stream, revision, type, version, data, correlation_id, causation_id, node, namespace)`
	sqlNotify = `SELECT pg_notify($1, '')`
)

// runTx runs one transaction over group. It returns an error only when the
// transaction failed as a whole; an append's own failure is left in its err.
func (w *writer) runTx(group []*appendRequest) error {
	live := make([]*appendRequest, 0, len(group))
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.err = err // not written yet: the caller's cancellation still wins
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return nil
	}
	if err := w.transact(live); err != nil {
		return err
	}
	return w.runDeferred(group)
}

// transact is runTx's transaction, in two round trips: BEGIN, lock the
// streams and look the ids up; judge each append in Go; then write
// everything, advance the head, notify and COMMIT. BEGIN and COMMIT travel
// in those pipelines rather than as round trips of their own: on a busy
// two-core machine each round trip costs as much as inserting a few rows.
func (w *writer) transact(live []*appendRequest) error {
	ctx, cancel := context.WithTimeout(context.Background(), txTimeout)
	defer cancel()
	conn, err := w.s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("acquire connection: %w", err)
	}
	defer conn.Release()
	// A connection left inside a transaction is closed by Release, so a
	// failed ROLLBACK cannot leak locks into the pool.
	rollback := func() { _, _ = conn.Exec(context.Background(), "ROLLBACK") }

	b := &w.tx
	b.reset()
	revisions, stored, err := b.lockAndLookUp(ctx, conn.Conn(), live)
	if err != nil {
		rollback()
		return err
	}
	for _, r := range live {
		b.judge(r, revisions, stored)
	}
	if b.n == 0 {
		rollback()
		return nil
	}
	recorded := w.nextRecorded()
	naive := w.hooks != nil && w.hooks.naivePositions
	separateCommit := w.hooks != nil && w.hooks.beforeCommit != nil
	batch := &pgx.Batch{}
	batch.Queue(sqlSetRevisions, b.streamNames, b.streamRevisions)
	var head int64
	if naive {
		batch.Queue(sqlNaiveInsertEvents, recorded, b.offs, b.ids, b.streams, b.revs, b.types, b.versions,
			b.data, b.correlation, b.causation, b.node, b.namespace)
	} else {
		batch.Queue(sqlAdvanceHead, int64(b.n)).QueryRow(func(row pgx.Row) error { return row.Scan(&head) })
		batch.Queue(sqlInsertEvents, int64(b.n), recorded, b.offs, b.ids, b.streams, b.revs, b.types, b.versions,
			b.data, b.correlation, b.causation, b.node, b.namespace)
	}
	batch.Queue(sqlNotify, notifyChannel(w.s.cfg.Schema))
	if !separateCommit {
		batch.Queue("COMMIT")
	}
	err = conn.SendBatch(ctx, batch).Close()
	if err == nil && separateCommit {
		w.hooks.beforeCommit()
		_, err = conn.Exec(ctx, "COMMIT")
	}
	if err != nil {
		rollback()
		// The error may have come from COMMIT, or after it (a connection
		// lost before the reply): then the events may be stored all the same.
		if head == 0 || !w.landed(b.ids[0], head-int64(b.n)+1) {
			return fmt.Errorf("insert %d events: %w", b.n, err)
		}
		w.log.Warn().Err(err).Msg("commit reported an error but the events are stored; its results stand")
	}
	base := event.Position(head - int64(b.n))
	for _, r := range live {
		if r.wrote {
			r.result.FirstPosition += base
			r.result.LastPosition += base
		}
	}
	// Wake this Store's subscriptions now rather than when the notification
	// comes back from the server.
	w.s.commit.broadcast()
	w.log.Debug().Uint64("first_position", uint64(base)+1).Uint64("last_position", uint64(head)).
		Int("appends", len(live)).Msg("committed")
	return nil
}

// runDeferred judges, each in a transaction of its own, the appends that
// repeated ids of an earlier append of their group, now that it is decided.
func (w *writer) runDeferred(group []*appendRequest) error {
	for _, r := range group {
		if !r.deferred {
			continue
		}
		r.reset()
		if err := w.runTx([]*appendRequest{r}); err != nil {
			r.err = fmt.Errorf("postgres event store: %w", err)
		}
	}
	return nil
}

// landed reports whether a transaction whose COMMIT reported an error
// committed all the same, by looking for its first event where it was put.
func (w *writer) landed(id [16]byte, pos int64) bool {
	ctx, cancel := context.WithTimeout(context.Background(), txTimeout)
	defer cancel()
	var got int64
	err := w.s.pool.QueryRow(ctx, "SELECT position FROM events WHERE id = $1", id).Scan(&got)
	return err == nil && got == pos
}
