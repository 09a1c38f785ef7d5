package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// ReadStream implements event.Store.
func (s *Store) ReadStream(ctx context.Context, stream string, after event.Revision, limit int) ([]event.Event, error) {
	if s.closed.Load() {
		return nil, event.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := event.ValidateStream(stream); err != nil {
		return nil, err
	}
	if after >= math.MaxInt64 {
		return nil, nil
	}
	n := int64(limit)
	if limit <= 0 {
		n = -1 // SQLite: no limit
	}
	return s.query(ctx, s.reads.stream, min(limit, 256), stream, int64(after), n)
}

// ReadAll implements event.Store. limit <= 0 reads Config.ReadPageSize events.
func (s *Store) ReadAll(ctx context.Context, after event.Position, limit int) ([]event.Event, error) {
	if s.closed.Load() {
		return nil, event.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = s.cfg.ReadPageSize
	}
	return s.readAfter(ctx, after, limit)
}

// readAfter is ReadAll without the argument checks; subscriptions use it.
func (s *Store) readAfter(ctx context.Context, after event.Position, limit int) ([]event.Event, error) {
	if after >= math.MaxInt64 {
		return nil, nil
	}
	// Reserve room for what the store holds after `after`, not for the whole
	// page: a live subscription wakes for one or two new events at a time,
	// and reserving a full page each time was most of its allocation.
	capHint := limit
	if head := s.head.Load(); head > uint64(after) && head-uint64(after) < uint64(limit) {
		capHint = int(head - uint64(after))
	}
	return s.query(ctx, s.reads.all, capHint, int64(after), int64(limit))
}

// maxCapHint bounds the room query reserves up front: limit is what the caller
// allows, not what the file holds, and may be huge.
const maxCapHint = 1024

func (s *Store) query(ctx context.Context, stmt *sql.Stmt, capHint int, args ...any) ([]event.Event, error) {
	rows, err := stmt.QueryContext(ctx, args...)
	if err != nil {
		return nil, s.readErr(ctx, err)
	}
	defer rows.Close()
	out := make([]event.Event, 0, min(max(capHint, 0), maxCapHint))
	var sc eventScanner
	for rows.Next() {
		e, err := sc.scan(rows)
		if err != nil {
			return nil, s.readErr(ctx, err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, s.readErr(ctx, err)
	}
	return out, nil
}

// eventScanner decodes rows of eventColumns, reusing its buffers and the
// strings of event types, which repeat endlessly.
type eventScanner struct {
	pos, rev, ver, rec int64
	id, typ, meta      sql.RawBytes
	stream, data       string
	types              map[string]string
}

func (sc *eventScanner) scan(rows *sql.Rows) (event.Event, error) {
	if err := rows.Scan(&sc.pos, &sc.id, &sc.stream, &sc.rev, &sc.typ, &sc.ver, &sc.rec, &sc.data, &sc.meta); err != nil {
		return event.Event{}, err
	}
	e := event.Event{
		Position: event.Position(sc.pos),
		Stream:   sc.stream,
		Revision: event.Revision(sc.rev),
		Type:     sc.internType(),
		Version:  int(sc.ver),
		Recorded: time.Unix(0, sc.rec).UTC(),
		Data:     []byte(sc.data),
	}
	if len(sc.id) != len(e.ID) {
		return event.Event{}, fmt.Errorf("event at %d: id has %d bytes", sc.pos, len(sc.id))
	}
	copy(e.ID[:], sc.id)
	if len(sc.meta) > 0 {
		m, err := decodeMetadata(sc.meta)
		if err != nil {
			return event.Event{}, fmt.Errorf("event at %d: metadata: %w", sc.pos, err)
		}
		e.Metadata = m
	}
	return e, nil
}

func (sc *eventScanner) internType() string {
	if t, ok := sc.types[string(sc.typ)]; ok {
		return t
	}
	if sc.types == nil {
		sc.types = make(map[string]string)
	}
	t := string(sc.typ)
	if len(sc.types) < 256 {
		sc.types[t] = t
	}
	return t
}
