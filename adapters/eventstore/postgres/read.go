package postgres

import (
	"context"
	"math"

	"github.com/jackc/pgx/v5"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

const eventColumns = `position, id, stream, revision, type, version, recorded, data,
	correlation_id, causation_id, node, namespace`

const (
	sqlReadAll = `SELECT ` + eventColumns + ` FROM events WHERE position > $1 ORDER BY position LIMIT $2`
	// LIMIT NULL is no limit.
	sqlReadStream = `SELECT ` + eventColumns + ` FROM events WHERE stream = $1 AND revision > $2 ORDER BY revision LIMIT $3`
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
	var n *int64
	if limit > 0 {
		l := int64(limit)
		n = &l
	}
	return s.query(ctx, min(max(limit, 0), 256), sqlReadStream, stream, int64(after), n)
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
// Each call is one statement, so it reads one snapshot: every transaction
// committed before it began, and since positions are assigned under the
// store_head row lock, those are exactly the positions up to some head,
// without holes (doc.go).
func (s *Store) readAfter(ctx context.Context, after event.Position, limit int) ([]event.Event, error) {
	if after >= math.MaxInt64 {
		return nil, nil
	}
	return s.query(ctx, min(limit, 256), sqlReadAll, int64(after), int64(limit))
}

// maxCapHint bounds the room query reserves up front: limit is what the caller
// allows, not what the store holds, and may be huge.
const maxCapHint = 1024

func (s *Store) query(ctx context.Context, capHint int, sql string, args ...any) ([]event.Event, error) {
	rows, err := s.pool.Query(ctx, sql, args...)
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

// eventScanner decodes rows of eventColumns.
type eventScanner struct {
	pos, rev int64
	ver      int32
}

func (sc *eventScanner) scan(rows pgx.Rows) (event.Event, error) {
	var e event.Event
	m := &e.Metadata
	if err := rows.Scan(&sc.pos, &e.ID, &e.Stream, &sc.rev, &e.Type, &sc.ver, &e.Recorded, &e.Data,
		&m.CorrelationID, &m.CausationID, &m.Node, &m.Namespace); err != nil {
		return event.Event{}, err
	}
	e.Position = event.Position(sc.pos)
	e.Revision = event.Revision(sc.rev)
	e.Version = int(sc.ver)
	e.Recorded = e.Recorded.UTC()
	return e, nil
}
