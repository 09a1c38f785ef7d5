package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
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
	if !q.Count {
		docs, err := readDocs(ctx, s.rdb, sel)
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
	docs, err := readDocs(ctx, conn, sel)
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

func readDocs(ctx context.Context, db queryer, sel selection) ([]json.RawMessage, error) {
	rows, err := db.QueryContext(ctx, sel.pageSQL, sel.pageArgs...)
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
	sel := selection{countSQL: "SELECT count(*)" + where, whereArgs: b.args}

	var order []string
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
		order = append(order, "t."+t.cols[i].ident+dir)
	}
	if !hasKey {
		// Parse always ends a sort with the key; a hand-built query gets it
		// too, so that pages are stable.
		order = append(order, "t."+t.cols[t.key].ident+" ASC")
	}
	limit := int64(-1)
	if q.Limit > 0 {
		limit = int64(q.Limit)
	}
	sel.pageSQL = "SELECT t." + quoteIdent(docColumn) + where + " ORDER BY " + strings.Join(order, ", ") + " LIMIT ? OFFSET ?"
	sel.pageArgs = append(append(make([]any, 0, len(b.args)+2), b.args...), limit, int64(max(q.Skip, 0)))
	return sel, nil
}
