package sqlite

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/ledgermirror/ledgermirror/projections"
)

// getManyChunk bounds the keys of one GetMany query: far below SQLite's
// limit on bound variables (999 before 3.32), and small enough that
// compiling the statement, which is not prepared ahead as Get's is,
// stays cheap next to the rows it reads.
const getManyChunk = 500

var _ projections.MultiGetter = (*Store)(nil)

// GetMany implements projections.MultiGetter: one query per chunk of
// getManyChunk distinct keys, in one read transaction when there are
// several, so the documents are those of one commit.
func (s *Store) GetMany(ctx context.Context, d *projections.Table, ns string, keys []any) ([]json.RawMessage, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	t, err := s.table(d)
	if err != nil {
		return nil, err
	}
	// The encoded keys are strings or int64s (encodeValue), so they are
	// map keys as they are, and compare equal to the key column scanned
	// back.
	encoded := make([]any, len(keys))
	distinct := make([]any, 0, len(keys))
	seen := make(map[any]bool, len(keys))
	for i, key := range keys {
		k, err := t.encodeKey(key)
		if err != nil {
			return nil, err
		}
		encoded[i] = k
		if !seen[k] {
			seen[k] = true
			distinct = append(distinct, k)
		}
	}
	if len(distinct) == 0 {
		return make([]json.RawMessage, len(keys)), nil
	}
	var db queryer = s.rdb
	if len(distinct) > getManyChunk {
		conn, err := s.rdb.Conn(ctx)
		if err != nil {
			return nil, s.readErr(ctx, err)
		}
		defer func() { _ = conn.Close() }()
		if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
			return nil, s.readErr(ctx, err)
		}
		defer func() { _, _ = conn.ExecContext(context.Background(), "ROLLBACK") }()
		db = conn
	}
	found := make(map[any]json.RawMessage, len(distinct))
	args := make([]any, 0, 1+min(len(distinct), getManyChunk))
	for from := 0; from < len(distinct); from += getManyChunk {
		chunk := distinct[from:min(from+getManyChunk, len(distinct))]
		args = append(append(args[:0], ns), chunk...)
		if err := t.readMany(ctx, db, args, found); err != nil {
			return nil, s.readErr(ctx, err)
		}
	}
	docs := make([]json.RawMessage, len(keys))
	for i, k := range encoded {
		docs[i] = found[k]
	}
	return docs, nil
}

// readMany adds to found the documents of the rows in namespace args[0]
// whose keys are args[1:], by key.
func (t *table) readMany(ctx context.Context, db queryer, args []any, found map[any]json.RawMessage) error {
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(t.cols[t.key].ident)
	b.WriteString(", ")
	b.WriteString(quoteIdent(docColumn))
	b.WriteString(" FROM ")
	b.WriteString(t.ident)
	b.WriteString(" WHERE ")
	b.WriteString(t.cols[0].ident)
	b.WriteString(" = ? AND ")
	b.WriteString(t.cols[t.key].ident)
	b.WriteString(" IN (?")
	b.WriteString(strings.Repeat(", ?", len(args)-2))
	b.WriteString(")")
	rows, err := db.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return err
	}
	defer func() { _ = rows.Close() }()
	for rows.Next() {
		var key any
		var doc []byte
		if err := rows.Scan(&key, &doc); err != nil {
			return err
		}
		if k, ok := key.([]byte); ok {
			key = string(k) // a driver may give TEXT as bytes; encodeKey gives strings
		}
		found[key] = doc
	}
	return rows.Err()
}
