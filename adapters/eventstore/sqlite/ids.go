package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Bounds of the adaptive merge threshold of the id index (see doc.go).
const (
	minIDMerge = 64 << 10
	maxIDMerge = 256 << 10
)

// idIndex answers "is this event id stored, and where?" for the writer.
//
// Ids of events up to `through` are in the event_ids table; ids of later
// events (the tail) are only in memory, and are merged into the table in one
// sorted bulk insert once the tail is large enough. Event ids are random, so
// indexing each on insert would dirty about one index page per event per
// commit; merging thousands at a time dirties each page once per merge.
type idIndex struct {
	st      *writerStatements
	tail    map[uuid.UUID]event.Position
	through event.Position
	mergeAt int // fixed threshold (tests); 0 means adaptive
	retryAt int // after a failed merge, the tail size to try again at

	found []event.Position // lookup's result, reused
	probe []int            // indexes of events to look up in event_ids, reused
}

func (x *idIndex) init(st *writerStatements, mergeAt int) {
	x.st = st
	x.mergeAt = mergeAt
}

// load rebuilds the tail from the events after the indexed position.
func (x *idIndex) load(ctx context.Context, conn *sql.Conn) error {
	var through int64
	if err := conn.QueryRowContext(ctx, "SELECT ids_indexed_through FROM store_state WHERE singleton = 1").Scan(&through); err != nil {
		return fmt.Errorf("read store state: %w", err)
	}
	rows, err := conn.QueryContext(ctx, "SELECT id, position FROM events WHERE position > ?", through)
	if err != nil {
		return err
	}
	defer rows.Close()
	tail := make(map[uuid.UUID]event.Position)
	for rows.Next() {
		var id sql.RawBytes
		var pos int64
		if err := rows.Scan(&id, &pos); err != nil {
			return err
		}
		key, err := uuid.FromBytes(id)
		if err != nil {
			return fmt.Errorf("event at %d: bad id: %w", pos, err)
		}
		tail[key] = event.Position(pos)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	x.tail, x.through = tail, event.Position(through)
	return nil
}

// lookup returns, for each event of r, the position its id is stored at (0 if
// none), and how many are stored. It sees the open transaction's events.
func (x *idIndex) lookup(r *appendRequest) ([]event.Position, int, error) {
	found := x.found[:0]
	probe := x.probe[:0]
	n := 0
	for i := range r.events {
		pos, ok := x.tail[r.events[i].ID]
		found = append(found, pos)
		if ok {
			n++
		} else if x.through > 0 {
			probe = append(probe, i)
		}
	}
	x.found, x.probe = found, probe
	for len(probe) > 0 {
		k := insertChunk(len(probe))
		hits, err := x.probeTable(r, probe[:k], found)
		if err != nil {
			return nil, 0, err
		}
		n += hits
		probe = probe[k:]
	}
	return found, n, nil
}

// probeTable looks up the ids of r.events[idx...] in event_ids in one query.
func (x *idIndex) probeTable(r *appendRequest, idx []int, found []event.Position) (int, error) {
	stmt, err := x.st.lookup(len(idx))
	if err != nil {
		return 0, err
	}
	args := make([]any, len(idx))
	for j, i := range idx {
		args[j] = r.rows[i].id
	}
	rows, err := stmt.QueryContext(context.Background(), args...)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	hits := 0
	for rows.Next() {
		var id sql.RawBytes
		var pos int64
		if err := rows.Scan(&id, &pos); err != nil {
			return 0, err
		}
		for _, i := range idx {
			if string(id) == string(r.events[i].ID[:]) {
				found[i] = event.Position(pos)
				hits++
				break
			}
		}
	}
	return hits, rows.Err()
}

// add records an id of the open transaction. If the transaction fails, the
// writer goes stale and the tail is rebuilt from the file before it is used
// again.
func (x *idIndex) add(id uuid.UUID, pos event.Position) { x.tail[id] = pos }

// threshold is the tail size that triggers a merge: about 1/32 of the indexed
// ids, so a merge touches each index page about once however big the table.
func (x *idIndex) threshold() int {
	if x.mergeAt > 0 {
		return x.mergeAt
	}
	return min(max(int(x.through)/32, minIDMerge), maxIDMerge)
}

func (x *idIndex) needsMerge() bool {
	return len(x.tail) >= max(x.threshold(), x.retryAt)
}

// merge moves the tail into event_ids in one transaction, between groups.
// The rows and the new ids_indexed_through commit together, so a crash at any
// point leaves either the old split (tail rebuilt from events after the old
// mark) or the new one. If the merge fails, even after its COMMIT, the writer
// reloads the split from the file rather than guess which it is.
func (w *writer) merge(ctx context.Context) error {
	start := time.Now()
	n := len(w.ids.tail)
	if err := w.mergeTx(ctx); err != nil {
		_, _ = w.st.rollback.ExecContext(ctx)
		w.stale = true
		if rerr := w.reload(ctx); rerr != nil {
			w.log.Error().Err(rerr).Msg("reloading writer state failed; will retry before the next transaction")
		}
		w.ids.retryAt = len(w.ids.tail) + w.ids.threshold()
		return err
	}
	clear(w.ids.tail)
	w.ids.through, w.ids.retryAt = w.head, 0
	w.s.ckpt.poke()
	w.log.Debug().Int("ids", n).Uint64("through_position", uint64(w.head)).
		Dur("took", time.Since(start)).Msg("merged event ids into the id index")
	return nil
}

func (w *writer) mergeTx(ctx context.Context) error {
	if _, err := w.st.begin.ExecContext(ctx); err != nil {
		return err
	}
	if _, err := w.st.mergeIDs.ExecContext(ctx, int64(w.ids.through)); err != nil {
		return err
	}
	if _, err := w.st.setThrough.ExecContext(ctx, int64(w.head)); err != nil {
		return err
	}
	if err := w.mergeHook("inserted"); err != nil {
		return err
	}
	if _, err := w.st.commit.ExecContext(ctx); err != nil {
		return err
	}
	return w.mergeHook("committed")
}

func (w *writer) mergeHook(stage string) error {
	if h := w.hooks; h != nil && h.merge != nil {
		return h.merge(stage)
	}
	return nil
}
