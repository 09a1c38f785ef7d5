package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// eventColumns is the column list every event query selects; scanEvent reads
// it in this order.
const eventColumns = "position, id, stream, revision, type, version, recorded, data, metadata"

// writerStatements are prepared on the writer's connection, which runs them
// inside its own transactions.
type writerStatements struct {
	conn           *sql.Conn
	begin          *sql.Stmt
	commit         *sql.Stmt
	rollback       *sql.Stmt
	streamRevision *sql.Stmt
	byPosition     *sql.Stmt
	mergeIDs       *sql.Stmt
	setThrough     *sql.Stmt
	checkpoint     *sql.Stmt
	inserts        map[int]*sql.Stmt // by row count, prepared on first use
	lookups        map[int]*sql.Stmt // by id count, prepared on first use
}

func prepareWriter(ctx context.Context, conn *sql.Conn) (*writerStatements, error) {
	st := &writerStatements{conn: conn, inserts: map[int]*sql.Stmt{}, lookups: map[int]*sql.Stmt{}}
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&st.begin, "BEGIN IMMEDIATE"},
		{&st.commit, "COMMIT"},
		{&st.rollback, "ROLLBACK"},
		{&st.streamRevision, "SELECT revision FROM events WHERE stream = ? ORDER BY revision DESC LIMIT 1"},
		{&st.byPosition, "SELECT " + eventColumns + " FROM events WHERE position = ?"},
		{&st.mergeIDs, "INSERT INTO event_ids (id, position) SELECT id, position FROM events WHERE position > ? ORDER BY id"},
		{&st.setThrough, "UPDATE store_state SET ids_indexed_through = ? WHERE singleton = 1"},
		{&st.checkpoint, "PRAGMA wal_checkpoint(PASSIVE)"},
	} {
		s, err := conn.PrepareContext(ctx, p.query)
		if err != nil {
			_ = st.close()
			return nil, err
		}
		*p.dst = s
	}
	return st, nil
}

// insert returns the INSERT of n rows.
func (st *writerStatements) insert(n int) (*sql.Stmt, error) {
	if s, ok := st.inserts[n]; ok {
		return s, nil
	}
	q := "INSERT INTO events (" + eventColumns + ") VALUES " +
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
	s, err := st.conn.PrepareContext(context.Background(), q)
	if err != nil {
		return nil, err
	}
	st.inserts[n] = s
	return s, nil
}

// lookup returns the query finding which of n ids are in event_ids.
func (st *writerStatements) lookup(n int) (*sql.Stmt, error) {
	if s, ok := st.lookups[n]; ok {
		return s, nil
	}
	q := "SELECT id, position FROM event_ids WHERE id IN (" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")"
	s, err := st.conn.PrepareContext(context.Background(), q)
	if err != nil {
		return nil, err
	}
	st.lookups[n] = s
	return s, nil
}

// eventAt reads one event through the writer's connection, so it sees the
// open transaction.
func (st *writerStatements) eventAt(pos event.Position) (event.Event, error) {
	rows, err := st.byPosition.QueryContext(context.Background(), int64(pos))
	if err != nil {
		return event.Event{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return event.Event{}, err
		}
		return event.Event{}, errors.New("no event at that position")
	}
	var sc eventScanner
	e, err := sc.scan(rows)
	if err != nil {
		return event.Event{}, err
	}
	return e, rows.Err()
}

func (st *writerStatements) close() error {
	var errs []error
	for _, s := range []*sql.Stmt{st.begin, st.commit, st.rollback, st.streamRevision, st.byPosition, st.mergeIDs, st.setThrough, st.checkpoint} {
		if s != nil {
			errs = append(errs, s.Close())
		}
	}
	for _, m := range []map[int]*sql.Stmt{st.inserts, st.lookups} {
		for _, s := range m {
			errs = append(errs, s.Close())
		}
	}
	return errors.Join(errs...)
}

// readStatements are prepared on the read-only pool.
type readStatements struct {
	all    *sql.Stmt
	stream *sql.Stmt
}

func prepareReads(ctx context.Context, db *sql.DB) (*readStatements, error) {
	all, err := db.PrepareContext(ctx, "SELECT "+eventColumns+" FROM events WHERE position > ? ORDER BY position LIMIT ?")
	if err != nil {
		return nil, err
	}
	stream, err := db.PrepareContext(ctx, "SELECT "+eventColumns+" FROM events WHERE stream = ? AND revision > ? ORDER BY revision LIMIT ?")
	if err != nil {
		_ = all.Close()
		return nil, err
	}
	return &readStatements{all: all, stream: stream}, nil
}

func (r *readStatements) close() error {
	return errors.Join(r.all.Close(), r.stream.Close())
}
