package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// Find implements projections.Store. The page and the count are read in one
// read transaction, so they agree with each other.
func (s *Store) Find(ctx context.Context, d *projections.Table, ns string, q query.Query) ([]json.RawMessage, int, error) {
	if s.closed.Load() {
		return nil, 0, ErrClosed
	}
	t, err := s.table(d)
	if err != nil {
		return nil, 0, err
	}
	sel, err := t.compile(ns, q)
	if err != nil {
		return nil, 0, err
	}
	window := t.walkCap(q, s.stats.get(ctx, s.rdb)[t.name])
	if !q.Count {
		docs, err := s.page(ctx, s.rdb, sel, window, q.Limit)
		return docs, 0, s.readErr(ctx, err)
	}
	conn, err := s.rdb.Conn(ctx)
	if err != nil {
		return nil, 0, s.readErr(ctx, err)
	}
	defer func() { _ = conn.Close() }()
	if _, err := conn.ExecContext(ctx, "BEGIN"); err != nil {
		return nil, 0, s.readErr(ctx, err)
	}
	defer func() { _, _ = conn.ExecContext(context.Background(), "ROLLBACK") }()
	docs, err := s.page(ctx, conn, sel, window, q.Limit)
	if err != nil {
		return nil, 0, s.readErr(ctx, err)
	}
	var total int
	if err := conn.QueryRowContext(ctx, sel.countSQL, sel.whereArgs...).Scan(&total); err != nil {
		return nil, 0, s.readErr(ctx, err)
	}
	return docs, total, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// page reads the page of sel: by a walk over the first window rows of the
// sort order when window > 0 and that finds the whole page (limit
// documents), else by the ordinary query.
func (s *Store) page(ctx context.Context, db queryer, sel selection, window, limit int) ([]json.RawMessage, error) {
	if window > 0 {
		walkSQL, walkArgs := sel.walk(window)
		docs, err := readDocs(ctx, db, walkSQL, walkArgs)
		if err != nil || len(docs) == limit {
			return docs, err
		}
	}
	return readDocs(ctx, db, sel.pageSQL, sel.pageArgs)
}

func readDocs(ctx context.Context, db queryer, query string, args []any) ([]json.RawMessage, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rows.Close() }()
	var docs []json.RawMessage
	for rows.Next() {
		var doc []byte
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
	return docs, rows.Err()
}

// selection is a Query compiled to SQL: the page, and the count of every
// matching row, which share the WHERE clause.
type selection struct {
	pageSQL   string
	pageArgs  []any
	countSQL  string
	whereArgs []any
	// walkSQL reads the page by walking the sort's index (sortwalk.go).
	walkSQL string
	ns      string
}

// compile writes q as SQL. Only declared column names are written into the
// SQL text; every value is a parameter. Queries that Parse cannot produce
// (an operator a field's type does not take, a field that is not the
// table's, a sort on a field that is not sortable) are refused.
func (t *table) compile(ns string, q query.Query) (selection, error) {
	b := sqlBuilder{t: t}
	b.sql.WriteString(" FROM " + t.ident + " AS t WHERE t." + t.cols[0].ident + " = ?")
	b.args = append(b.args, ns)
	for _, group := range q.Where {
		b.sql.WriteString(" AND (")
		if len(group) == 0 {
			b.sql.WriteString("0") // an empty OR holds for no row
		}
		for i, c := range group {
			if i > 0 {
				b.sql.WriteString(" OR ")
			}
			if err := b.condition(c); err != nil {
				return selection{}, fmt.Errorf("sqlite read model: table %s: filter on %q: %w", t.name, c.Field.Name, err)
			}
		}
		b.sql.WriteString(")")
	}
	where := b.sql.String()
	sel := selection{countSQL: "SELECT count(*)" + where, whereArgs: b.args, ns: ns}

	type sortKey struct {
		col int
		dir string
	}
	var keys []sortKey
	hasKey := false
	for _, k := range q.Sort {
		i, ok := t.byName[k.Field]
		if !ok || !t.cols[i].sortable {
			return selection{}, fmt.Errorf("sqlite read model: table %s: %q is not a sortable field", t.name, k.Field)
		}
		hasKey = hasKey || i == t.key
		dir := " ASC"
		if k.Desc {
			dir = " DESC"
		}
		keys = append(keys, sortKey{i, dir})
	}
	if !hasKey {
		// Parse always ends a sort with the key; a hand-built query gets it
		// too, so that pages are stable.
		keys = append(keys, sortKey{t.key, " ASC"})
	}
	// The page's ORDER BY, and the walk's (sortwalk.go): over the window
	// (w), over the filtered window (t, selecting each key as oN) and over
	// the page (p).
	var order, windowCols, windowOrder, filteredCols, filteredOrder, pageOrder []string
	for n, k := range keys {
		col, o := t.cols[k.col].ident, "o"+strconv.Itoa(n)
		order = append(order, "t."+col+k.dir)
		windowCols = append(windowCols, "w."+col+" AS "+o)
		windowOrder = append(windowOrder, "w."+col+k.dir)
		filteredCols = append(filteredCols, "win."+o+" AS "+o)
		filteredOrder = append(filteredOrder, "win."+o+k.dir)
		pageOrder = append(pageOrder, "p."+o+k.dir)
	}
	limit := int64(-1)
	if q.Limit > 0 {
		limit = int64(q.Limit)
	}
	sel.pageSQL = "SELECT t." + quoteIdent(docColumn) + where + " ORDER BY " + strings.Join(order, ", ") + " LIMIT ? OFFSET ?"
	sel.pageArgs = append(append(make([]any, 0, len(b.args)+2), b.args...), limit, int64(max(q.Skip, 0)))
	conditions := strings.TrimPrefix(where, " FROM "+t.ident+" AS t")
	// Every level orders by the columns the level below selected, in the
	// order it returns them, so SQLite streams instead of sorting: the
	// walk stops at the page's last match.
	sel.walkSQL = "SELECT d." + quoteIdent(docColumn) + " FROM (SELECT t.rowid AS r, " + strings.Join(filteredCols, ", ") +
		" FROM (SELECT w.rowid AS k, " + strings.Join(windowCols, ", ") + " FROM " + t.ident + " AS w WHERE w." +
		t.cols[0].ident + " = ? ORDER BY " + strings.Join(windowOrder, ", ") + " LIMIT ?) AS win CROSS JOIN " + t.ident +
		" AS t ON t.rowid = win.k" + conditions + " ORDER BY " + strings.Join(filteredOrder, ", ") +
		" LIMIT ? OFFSET ?) AS p CROSS JOIN " + t.ident + " AS d ON d.rowid = p.r ORDER BY " + strings.Join(pageOrder, ", ")
	return sel, nil
}
