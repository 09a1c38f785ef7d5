package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Rewriting a row in place.
//
// insertSQL is INSERT OR REPLACE: for a row that exists SQLite deletes it,
// with its entry in every secondary index, and inserts it again, with all of
// them. A message goes through that at least twice (received pending, then
// confirmed), and the second time only state, confirmed, sequence and the
// document change: three of its nine indexes. An UPDATE maintains only the
// indexes whose columns it sets, so a row whose stored values the
// transaction knows (tx.Get read them with the document) is rewritten with
// an UPDATE of the columns that differ, and not written at all when none
// does. A row the transaction has not read keeps insertSQL, which is right
// whether it exists or not.

// changedColumns has bit i set when column i (in insertSQL's order; the
// document is the last) differs from the stored row. The namespace and the
// key identify the row, so they never differ.
type changedColumns uint64

// changed compares a row's new insertSQL arguments with its stored ones.
// Both come from encodeValue's encodings (string, int64 or nil) and the
// stored ones are read back from a STRICT table, where TEXT and INTEGER
// come back as the same Go types, so == decides.
func changed(prior, args []any) changedColumns {
	var m changedColumns
	for i := range args {
		if prior[i] != args[i] {
			m |= 1 << i
		}
	}
	return m
}

// maxUpdateStatements bounds the UPDATEs the writer keeps prepared. A
// projector changes a few sets of columns (a message confirmed, rejected,
// batched), so a handful per table are in use; past the bound, an UPDATE
// is prepared for the one call.
const maxUpdateStatements = 256

type updateKey struct {
	table int
	cols  changedColumns
}

// updateSQL sets the columns of m on the row given by the last two
// arguments, the namespace and the key.
func (t *table) updateSQL(m changedColumns) string {
	var b strings.Builder
	b.WriteString("UPDATE " + t.ident + " SET ")
	sep := ""
	for i := range len(t.cols) + 1 {
		if m&(1<<i) == 0 {
			continue
		}
		ident := quoteIdent(docColumn)
		if i < len(t.cols) {
			ident = t.cols[i].ident
		}
		b.WriteString(sep + ident + " = ?")
		sep = ", "
	}
	b.WriteString(" WHERE " + t.cols[0].ident + " = ? AND " + t.cols[t.key].ident + " = ?")
	return b.String()
}

// update sets the changed columns of a stored row and reports whether the
// row was there: false leaves the caller to insert it.
func (x *tx) update(t *table, m changedColumns, args []any) (bool, error) {
	x.updateArgs = x.updateArgs[:0]
	for i, v := range args {
		if m&(1<<i) != 0 {
			x.updateArgs = append(x.updateArgs, v)
		}
	}
	x.updateArgs = append(x.updateArgs, args[0], args[t.key])
	w := x.s.w
	k := updateKey{table: t.index, cols: m}
	st, ok := w.updates[k]
	if !ok && len(w.updates) < maxUpdateStatements {
		var err error
		if st, err = w.conn.PrepareContext(context.Background(), t.updateSQL(m)); err != nil {
			return false, fmt.Errorf("prepare update: %w", err)
		}
		w.updates[k] = st
	}
	var res sql.Result
	var err error
	if st != nil {
		res, err = st.Exec(x.updateArgs...)
	} else {
		res, err = w.conn.ExecContext(context.Background(), t.updateSQL(m), x.updateArgs...)
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, err
	}
	clear(x.updateArgs) // let the document go
	return n == 1, nil
}
