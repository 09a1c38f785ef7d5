package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// Find implements projections.Store. With q.Count the page and the count
// are read in one repeatable-read transaction, so they agree.
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
		docs, err := readDocs(ctx, s.pool, sel)
		return docs, 0, s.readErr(ctx, err)
	}
	var docs []json.RawMessage
	var total int
	err = pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var err error
		if docs, err = readDocs(ctx, tx, sel); err != nil {
			return err
		}
		return tx.QueryRow(ctx, sel.countSQL, sel.whereArgs...).Scan(&total)
	})
	if err != nil {
		return nil, 0, s.readErr(ctx, err)
	}
	return docs, total, nil
}

type queryer interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func readDocs(ctx context.Context, db queryer, sel selection) ([]json.RawMessage, error) {
	rows, err := db.Query(ctx, sel.pageSQL, sel.pageArgs...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var docs []json.RawMessage
	for rows.Next() {
		// RawValues is the json column's text as stored; it is reused by
		// the next row, so copy it.
		docs = append(docs, json.RawMessage(append([]byte(nil), rows.RawValues()[0]...)))
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
	b.sql.WriteString(" FROM " + t.ident + " AS t WHERE t." + t.cols[0].ident + " = " + b.param([]byte(ns), "bytea"))
	for _, group := range q.Where {
		b.sql.WriteString(" AND (")
		if len(group) == 0 {
			b.sql.WriteString("false") // an empty OR holds for no row
		}
		for i, c := range group {
			if i > 0 {
				b.sql.WriteString(" OR ")
			}
			if err := b.condition(c); err != nil {
				return selection{}, fmt.Errorf("postgres read model: table %s: filter on %q: %w", t.name, c.Field.Name, err)
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
			return selection{}, fmt.Errorf("postgres read model: table %s: %q is not a sortable field", t.name, k.Field)
		}
		hasKey = hasKey || i == t.key
		order = append(order, "t."+t.cols[i].ident+direction(k.Desc, i == t.key))
	}
	if !hasKey {
		// Parse always ends a sort with the key; a hand-built query gets it
		// too, so that pages are stable.
		order = append(order, "t."+t.cols[t.key].ident+direction(false, true))
	}
	var limit any // NULL: no limit
	if q.Limit > 0 {
		limit = int64(q.Limit)
	}
	page := sqlBuilder{t: t, args: append(make([]any, 0, len(b.args)+2), b.args...)}
	page.sql.WriteString("SELECT t." + quoteIdent(docColumn) + where + " ORDER BY " + strings.Join(order, ", "))
	page.sql.WriteString(" LIMIT " + page.param(limit, "bigint") + " OFFSET " + page.param(int64(max(q.Skip, 0)), "bigint"))
	sel.pageSQL, sel.pageArgs = page.sql.String(), page.args
	return sel, nil
}

// direction writes the reference's NULL order: first ascending, last
// descending (Postgres' own default is the reverse). The secondary indexes
// are built (namespace, field NULLS FIRST, key), so both directions walk
// one of them. The key is never NULL, and is left in Postgres' default
// order, which is the indexes' (the planner does not know that NULLS FIRST
// makes no difference to a NOT NULL column, and would sort again).
func direction(desc, notNull bool) string {
	switch {
	case notNull && desc:
		return " DESC"
	case notNull:
		return " ASC"
	case desc:
		return " DESC NULLS LAST"
	}
	return " ASC NULLS FIRST"
}
