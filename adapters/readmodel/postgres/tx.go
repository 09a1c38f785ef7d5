package postgres

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/ledgermirror/ledgermirror/adapters/internal/pgerr"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// errTxDone is returned by a transaction's methods after Commit or Rollback.
var errTxDone = errors.New("postgres read model: transaction already committed or rolled back")

// txn is one write transaction.
//
// Puts are written behind, as in the SQLite adapter: a Put checks and
// encodes the row at once (so an invalid row fails the Put), then keeps it
// in memory in place of an earlier Put of the same row; Get looks there
// first. The rows go to the server in one pgx batch (one round trip) when
// flushRows are waiting and at Commit, sorted by table and primary key, so
// concurrent writers, should there ever be any, lock rows in one order. A
// projector puts one row several times in a batch of events (a message
// submitted, sealed, confirmed); only the last one is sent. Checkpoints ride
// in the last batch. An error from the server therefore surfaces at a flush:
// from a later Put, or from Commit, which then rolls back.
type txn struct {
	s           *Store
	ctx         context.Context
	tx          pgx.Tx
	done        bool
	pending     map[rowID]int // index in rows
	rows        []pendingRow
	checkpoints map[string]int64
}

// flushRows bounds the rows a transaction holds in memory.
const flushRows = 4096

// rowID identifies a row: its table, namespace and key (comparable form).
type rowID struct {
	table int
	ns    string
	key   any
}

type pendingRow struct {
	id   rowID
	args []any // upsertSQL's arguments
}

func (x *txn) check() error {
	switch {
	case x.done:
		return errTxDone
	case x.s.abandoned.Load():
		return ErrClosed
	}
	return x.ctx.Err()
}

// Put implements projections.Tx.
func (x *txn) Put(d *projections.Table, row query.Row, doc json.RawMessage) error {
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
	ns, _ := args[0].([]byte)
	id := rowID{table: t.index, ns: string(ns), key: keyOf(args[t.key])}
	if i, ok := x.pending[id]; ok {
		x.rows[i].args = args
		return nil
	}
	x.pending[id] = len(x.rows)
	x.rows = append(x.rows, pendingRow{id: id, args: args})
	if len(x.rows) >= flushRows {
		return x.flush(false)
	}
	return nil
}

// flush sends the waiting rows in (table, namespace, key) order, and the
// checkpoints too when final.
func (x *txn) flush(final bool) error {
	slices.SortFunc(x.rows, func(a, b pendingRow) int {
		if c := cmp.Compare(a.id.table, b.id.table); c != 0 {
			return c
		}
		if c := strings.Compare(a.id.ns, b.id.ns); c != 0 {
			return c
		}
		return compareKeys(a.id.key, b.id.key)
	})
	batch := &pgx.Batch{}
	for start := 0; start < len(x.rows); {
		end := start + 1
		for end < len(x.rows) && x.rows[end].id.table == x.rows[start].id.table {
			end++
		}
		t := x.s.tables[x.rows[start].id.table]
		if end-start >= copyRows {
			if err := x.copyRows(t, x.rows[start:end]); err != nil {
				return err
			}
		} else {
			for _, r := range x.rows[start:end] {
				batch.Queue(t.upsertSQL, r.args...)
			}
		}
		start = end
	}
	if final {
		names := make([]string, 0, len(x.checkpoints))
		for name := range x.checkpoints {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			batch.Queue("INSERT INTO checkpoints (projector, position) VALUES ($1, $2) "+
				"ON CONFLICT (projector) DO UPDATE SET position = excluded.position", name, x.checkpoints[name])
		}
	}
	if batch.Len() > 0 {
		if err := x.tx.SendBatch(x.ctx, batch).Close(); err != nil {
			return fmt.Errorf("postgres read model: write: %w", err)
		}
	}
	clear(x.pending)
	clear(x.rows) // let the documents go
	x.rows = x.rows[:0]
	return nil
}

// compareKeys orders two comparable keys of one column.
func compareKeys(a, b any) int {
	switch a := a.(type) {
	case string:
		b, _ := b.(string)
		return strings.Compare(a, b)
	case int64:
		b, _ := b.(int64)
		return cmp.Compare(a, b)
	case [16]byte:
		b, _ := b.([16]byte)
		return bytes.Compare(a[:], b[:])
	case bool:
		b, _ := b.(bool)
		return cmp.Compare(boolRank(a), boolRank(b))
	}
	return 0
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Get implements projections.Tx.
func (x *txn) Get(d *projections.Table, ns string, key any) (json.RawMessage, bool, error) {
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
	if i, ok := x.pending[rowID{table: t.index, ns: ns, key: keyOf(k)}]; ok {
		args := x.rows[i].args
		doc, _ := args[len(args)-1].(string)
		return json.RawMessage(doc), true, nil
	}
	doc, found, err := getDoc(x.ctx, x.tx, t, ns, k)
	if err != nil {
		return nil, false, fmt.Errorf("postgres read model: get %s: %w", t.name, err)
	}
	return doc, found, nil
}

// SetCheckpoint implements projections.Tx. Positions above math.MaxInt64
// (Postgres' largest bigint) are refused.
func (x *txn) SetCheckpoint(projector string, pos event.Position) error {
	if err := x.check(); err != nil {
		return err
	}
	if projector == "" {
		return errors.New("postgres read model: checkpoint without a projector name")
	}
	if !utf8.ValidString(projector) || strings.ContainsRune(projector, 0) {
		return fmt.Errorf("postgres read model: checkpoint %q: the name is not UTF-8 text", projector)
	}
	if pos > math.MaxInt64 {
		return fmt.Errorf("postgres read model: checkpoint %s: position %d is too large", projector, pos)
	}
	x.checkpoints[projector] = int64(pos)
	return nil
}

// Commit implements projections.Tx. If the transaction's context is done,
// it rolls back and returns ctx.Err(). A failed write or COMMIT rolls back
// too.
func (x *txn) Commit() error {
	if x.done {
		return errTxDone
	}
	if x.s.abandoned.Load() {
		return errors.Join(ErrClosed, x.end())
	}
	if err := x.ctx.Err(); err != nil {
		return errors.Join(err, x.end())
	}
	if err := x.flush(true); err != nil {
		return errors.Join(pgerr.Classify(err), x.end())
	}
	if err := x.tx.Commit(x.ctx); err != nil {
		return errors.Join(fmt.Errorf("postgres read model: commit: %w", pgerr.Classify(err)), x.end())
	}
	x.done = true
	x.pending, x.rows, x.checkpoints = nil, nil, nil
	<-x.s.token
	return nil
}

// Rollback implements projections.Tx.
func (x *txn) Rollback() error {
	if x.done {
		return errTxDone
	}
	return x.end()
}

// end rolls back and gives the writer back. A transaction pgx has already
// ended (after a failed COMMIT) is not an error here.
func (x *txn) end() error {
	x.done = true
	x.pending, x.rows, x.checkpoints = nil, nil, nil
	defer func() { <-x.s.token }()
	// The context may be what ended the transaction: roll back without it.
	if err := x.tx.Rollback(context.Background()); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
		return fmt.Errorf("postgres read model: rollback: %w", err)
	}
	return nil
}

// encodeRow checks row against the table and appends the column values and
// the document to args, in upsertSQL's order.
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
	// A json column holds text in the database's encoding (UTF-8), which
	// encoding/json's Valid does not insist on.
	if !utf8.Valid(doc) {
		return nil, fmt.Errorf("%w: table %s: the document is not UTF-8", projections.ErrInvalidRow, t.name)
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
