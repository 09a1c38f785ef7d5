package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/ledgermirror/ledgermirror/adapters/internal/sqliteerr"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// errTxDone is returned by a transaction's methods after Commit or Rollback.
var errTxDone = errors.New("sqlite read model: transaction already committed or rolled back")

// writer is the one write connection and its statements, prepared once.
// Holding token is the right to use it: Begin puts one in, the end of the
// transaction takes it out.
type writer struct {
	token                            chan struct{}
	conn                             *sql.Conn
	begin, commit, rollback, setCkpt *sql.Stmt
	checkpoint                       *sql.Stmt
	puts, rows                       []*sql.Stmt // by table index; rows: t.rowSQL
	updates                          map[updateKey]*sql.Stmt
}

func newWriter(ctx context.Context, conn *sql.Conn, tables []*table) (*writer, error) {
	w := &writer{token: make(chan struct{}, 1), conn: conn, updates: map[updateKey]*sql.Stmt{}}
	prepare := func(query string) (*sql.Stmt, error) {
		st, err := conn.PrepareContext(ctx, query)
		if err != nil {
			return nil, fmt.Errorf("prepare %q: %w", query, err)
		}
		return st, nil
	}
	var err error
	for _, p := range []struct {
		dst   **sql.Stmt
		query string
	}{
		{&w.begin, "BEGIN IMMEDIATE"},
		{&w.commit, "COMMIT"},
		{&w.rollback, "ROLLBACK"},
		{&w.checkpoint, "PRAGMA wal_checkpoint(PASSIVE)"},
		{&w.setCkpt, "INSERT INTO checkpoints (projector, position) VALUES (?, ?) " +
			"ON CONFLICT (projector) DO UPDATE SET position = excluded.position"},
	} {
		if *p.dst, err = prepare(p.query); err != nil {
			return nil, errors.Join(err, w.close())
		}
	}
	for _, t := range tables {
		put, err := prepare(t.insertSQL)
		if err != nil {
			return nil, errors.Join(err, w.close())
		}
		w.puts = append(w.puts, put)
		get, err := prepare(t.rowSQL)
		if err != nil {
			return nil, errors.Join(err, w.close())
		}
		w.rows = append(w.rows, get)
	}
	return w, nil
}

func (w *writer) close() error {
	var errs []error
	for _, st := range append([]*sql.Stmt{w.begin, w.commit, w.rollback, w.setCkpt, w.checkpoint}, append(w.puts, w.rows...)...) {
		if st != nil {
			errs = append(errs, st.Close())
		}
	}
	for _, st := range w.updates {
		errs = append(errs, st.Close())
	}
	return errors.Join(append(errs, w.conn.Close())...)
}

// tx is one write transaction on the writer connection.
//
// Puts are written behind: a Put checks and encodes the row at once (so an
// invalid row fails the Put), then keeps it in memory, replacing an earlier
// Put of the same row; Get looks there first. The rows are written when
// flushRows of them are waiting, and at Commit, sorted by table and
// primary key. A projector puts the same row several times in a batch of
// events (a message submitted, sealed, confirmed), and only the last one
// reaches SQLite; sorted inserts touch fewer pages of the primary key. An
// error from SQLite itself (a full disk) therefore surfaces at the flush:
// from a later Put, or from Commit, which then rolls back.
//
// A Get that reads a row from the database keeps its stored values
// (stored); a Put of that row takes them along (pendingRow.prior), and the
// flush rewrites only the columns that changed (update.go). Nothing else
// writes a row while the transaction holds the writer, and a stored entry
// leaves the map when its row is put, so an entry is always what the
// database holds.
//
// Statements run without the transaction's context (a cancellable context
// costs modernc a goroutine per statement, more than a Put); each method
// checks the context first instead, so cancelling takes effect at the next
// call.
type tx struct {
	s       *Store
	ctx     context.Context
	done    bool
	pending map[rowID]int // index in rows
	rows    []pendingRow
	stored  map[rowID][]any // rows read from the database and not put since, as insertSQL's arguments

	scan       []any // Get's Scan destinations
	updateArgs []any // an UPDATE's arguments
}

// flushRows bounds the rows a transaction holds in memory.
const flushRows = 4096

// rowID identifies a row: its table, namespace and key as encoded (string
// or int64, so comparable).
type rowID struct {
	table int
	ns    string
	key   any
}

type pendingRow struct {
	id    rowID
	args  []any // insertSQL's arguments
	prior []any // the stored row, as insertSQL's arguments; nil when not known
}

// maxStoredRows bounds the stored rows a transaction remembers between
// Puts; past it they are forgotten (and written with insertSQL if put).
const maxStoredRows = flushRows

func (x *tx) check() error {
	switch {
	case x.done:
		return errTxDone
	case x.s.abandoned.Load():
		return ErrClosed
	}
	return x.ctx.Err()
}

// Put implements projections.Tx.
func (x *tx) Put(d *projections.Table, row query.Row, doc json.RawMessage) error {
	if err := x.check(); err != nil {
		return err
	}
	t, err := x.s.table(d)
	if err != nil {
		return err
	}
	args, err := t.encodeRow(make([]any, 0, len(t.cols)+1), row, doc)
	if err != nil {
		return err
	}
	ns, _ := args[0].(string)
	id := rowID{table: t.index, ns: ns, key: args[t.key]}
	if i, ok := x.pending[id]; ok {
		x.rows[i].args = args
		return nil
	}
	prior := x.stored[id]
	if prior != nil {
		delete(x.stored, id)
	} else if keys := x.s.putKeys; t.fresh && keys != nil && !keys.add(keys.hash(t.index, ns, id.key)) {
		x.s.putKeys = nil
		x.s.log.Info().Int("bytes", keys.bytes).Msg("stopped filtering lookups of keys never put: the filter reached its bound")
	}
	x.pending[id] = len(x.rows)
	x.rows = append(x.rows, pendingRow{id: id, args: args, prior: prior})
	if len(x.rows) >= flushRows {
		return x.flush()
	}
	return nil
}

// flush writes the waiting rows in (table, namespace, key) order.
func (x *tx) flush() error {
	slices.SortFunc(x.rows, func(a, b pendingRow) int {
		if c := cmp.Compare(a.id.table, b.id.table); c != 0 {
			return c
		}
		if c := strings.Compare(a.id.ns, b.id.ns); c != 0 {
			return c
		}
		return compareKeys(a.id.key, b.id.key)
	})
	for _, r := range x.rows {
		if err := x.write(r); err != nil {
			return fmt.Errorf("sqlite read model: put %s: %w", x.s.tables[r.id.table].name, err)
		}
	}
	clear(x.pending)
	clear(x.rows) // let the documents go
	x.rows = x.rows[:0]
	return nil
}

// write stores one waiting row: the columns that changed when its stored
// values are known, else every column.
func (x *tx) write(r pendingRow) error {
	t := x.s.tables[r.id.table]
	if r.prior != nil && t.updatable && !x.s.replaceRows {
		m := changed(r.prior, r.args)
		if m == 0 {
			x.s.writes.unchanged++
			return nil
		}
		done, err := x.update(t, m, r.args)
		if err != nil {
			return err
		}
		if done {
			x.s.writes.updated++
			return nil
		}
		// The row was not there after all; no path deletes rows, but
		// inserting it is the answer if one ever does.
	}
	x.s.writes.replaced++
	_, err := x.s.w.puts[r.id.table].Exec(r.args...)
	return err
}

// compareKeys orders two encoded keys of one column: strings or int64s.
func compareKeys(a, b any) int {
	switch a := a.(type) {
	case string:
		b, _ := b.(string)
		return strings.Compare(a, b)
	case int64:
		b, _ := b.(int64)
		return cmp.Compare(a, b)
	}
	return 0
}

// Get implements projections.Tx.
func (x *tx) Get(d *projections.Table, ns string, key any) (json.RawMessage, bool, error) {
	if err := x.check(); err != nil {
		return nil, false, err
	}
	t, err := x.s.table(d)
	if err != nil {
		return nil, false, err
	}
	k, err := t.encodeKey(key)
	if err != nil {
		return nil, false, err
	}
	if i, ok := x.pending[rowID{table: t.index, ns: ns, key: k}]; ok {
		args := x.rows[i].args
		doc, _ := args[len(args)-1].(string)
		return json.RawMessage(doc), true, nil
	}
	if keys := x.s.putKeys; t.fresh && keys != nil && !keys.mayHave(keys.hash(t.index, ns, k)) {
		x.s.writes.absent++
		return nil, false, nil
	}
	n := len(t.cols) + 1
	vals := make([]any, n)
	x.scan = x.scan[:0]
	for i := range vals {
		x.scan = append(x.scan, &vals[i])
	}
	err = x.s.w.rows[t.index].QueryRow(ns, k).Scan(x.scan...)
	clear(x.scan)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sqlite read model: get %s: %w", t.name, err)
	}
	doc, ok := vals[n-1].(string)
	if !ok {
		return nil, false, fmt.Errorf("sqlite read model: get %s: the document is stored as %T", t.name, vals[n-1])
	}
	if len(x.stored) >= maxStoredRows {
		clear(x.stored)
	}
	x.stored[rowID{table: t.index, ns: ns, key: k}] = vals
	return json.RawMessage(doc), true, nil
}

// SetCheckpoint implements projections.Tx. Positions above math.MaxInt64
// (SQLite's largest integer) are refused.
func (x *tx) SetCheckpoint(projector string, pos event.Position) error {
	if err := x.check(); err != nil {
		return err
	}
	if projector == "" {
		return errors.New("sqlite read model: checkpoint without a projector name")
	}
	if pos > math.MaxInt64 {
		return fmt.Errorf("sqlite read model: checkpoint %s: position %d is too large", projector, pos)
	}
	if _, err := x.s.w.setCkpt.Exec(projector, int64(pos)); err != nil {
		return fmt.Errorf("sqlite read model: checkpoint %s: %w", projector, err)
	}
	return nil
}

// Commit implements projections.Tx. If the transaction's context is done,
// it rolls back and returns ctx.Err(). A failed COMMIT rolls back too.
func (x *tx) Commit() error {
	if x.done {
		return errTxDone
	}
	if x.s.abandoned.Load() {
		x.done = true
		<-x.s.w.token
		return ErrClosed
	}
	if err := x.ctx.Err(); err != nil {
		return errors.Join(err, x.end(x.s.w.rollback))
	}
	if err := x.flush(); err != nil {
		return errors.Join(sqliteerr.Classify(err), x.end(x.s.w.rollback))
	}
	if _, err := x.s.w.commit.Exec(); err != nil {
		return errors.Join(fmt.Errorf("sqlite read model: commit: %w", sqliteerr.Classify(err)), x.end(x.s.w.rollback))
	}
	x.done = true
	x.pending, x.rows, x.stored = nil, nil, nil
	<-x.s.w.token
	x.s.ckpt.poke()
	return nil
}

// Rollback implements projections.Tx.
func (x *tx) Rollback() error {
	if x.done {
		return errTxDone
	}
	if x.s.abandoned.Load() {
		x.done = true
		<-x.s.w.token
		return nil // closing the connection rolled it back
	}
	return x.end(x.s.w.rollback)
}

// end runs ROLLBACK and gives the writer back. SQLite may already have
// rolled the transaction back itself (after some I/O errors); that is not
// an error here.
func (x *tx) end(rollback *sql.Stmt) error {
	x.done = true
	x.pending, x.rows, x.stored = nil, nil, nil
	defer func() { <-x.s.w.token }()
	if _, err := rollback.Exec(); err != nil && !strings.Contains(err.Error(), "no transaction is active") {
		return fmt.Errorf("sqlite read model: rollback: %w", err)
	}
	return nil
}

// encodeRow checks row against the table and appends the column values and
// the document to args, in insertSQL's order.
func (t *table) encodeRow(args []any, row query.Row, doc json.RawMessage) ([]any, error) {
	if err := t.decl.Collection().CheckRow(row); err != nil {
		return nil, fmt.Errorf("%w: table %s: %w", projections.ErrInvalidRow, t.name, err)
	}
	for i, c := range t.cols {
		v, err := encodeValue(c.typ, row[c.name])
		if err != nil {
			return nil, fmt.Errorf("%w: table %s: field %q: %w", projections.ErrInvalidRow, t.name, c.name, err)
		}
		if v == nil && i == 0 {
			return nil, fmt.Errorf("%w: table %s: the row has no namespace", projections.ErrInvalidRow, t.name)
		}
		args = append(args, v)
	}
	if !jsonscan.Valid(doc) { // encoding/json.Valid's answer, at a fraction of the cost
		return nil, fmt.Errorf("%w: table %s: the document is not JSON", projections.ErrInvalidRow, t.name)
	}
	return append(args, string(doc)), nil
}

// encodeKey turns a key given to Get into its column value.
func (t *table) encodeKey(key any) (any, error) {
	c := t.cols[t.key]
	v, err := encodeValue(c.typ, key)
	if err == nil && v == nil {
		err = errors.New("the key is NULL")
	}
	if err != nil {
		return nil, fmt.Errorf("%w: table %s: key %q: %w", projections.ErrInvalidRow, t.name, c.name, err)
	}
	return v, nil
}
