package postgres

import (
	"fmt"

	"github.com/jackc/pgx/v5"
)

// copyRows is the number of rows of one table from which a flush copies
// them rather than sending an upsert per row: COPY into a temporary table
// and one INSERT ... SELECT ... ON CONFLICT from it cost four round trips
// whatever the number of rows, and the server parses and plans one
// statement instead of one per row (a bulk load ran at about 10k rows/s
// with upserts alone).
const copyRows = 256

// copyRows writes rows (of table t, distinct keys: the transaction keeps
// one pending row per key, which ON CONFLICT needs) through t's stage. The
// stage is a temporary table of the connection, created on first use and
// emptied at every commit (ON COMMIT DELETE ROWS) and after every merge.
func (x *txn) copyRows(t *table, rows []pendingRow) error {
	if _, err := x.tx.Exec(x.ctx, t.stageSQL); err != nil {
		return fmt.Errorf("postgres read model: stage %s: %w", t.name, err)
	}
	src := make([][]any, len(rows))
	for i, r := range rows {
		src[i] = r.args
	}
	if _, err := x.tx.CopyFrom(x.ctx, pgx.Identifier{"pg_temp", t.stage}, t.columnNames, pgx.CopyFromRows(src)); err != nil {
		return fmt.Errorf("postgres read model: copy %s: %w", t.name, err)
	}
	if _, err := x.tx.Exec(x.ctx, t.mergeSQL); err != nil {
		return fmt.Errorf("postgres read model: merge %s: %w", t.name, err)
	}
	if _, err := x.tx.Exec(x.ctx, "TRUNCATE pg_temp."+quoteIdent(t.stage)); err != nil {
		return fmt.Errorf("postgres read model: empty stage %s: %w", t.name, err)
	}
	return nil
}
