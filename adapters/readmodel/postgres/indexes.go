package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// BuildIndexes creates the secondary indexes of the tables created with
// Config.DeferIndexes, and does nothing for the others. It takes the writer,
// waiting for the transaction in progress; Begin waits while it runs. Reads
// go on meanwhile (CREATE INDEX blocks writes, not reads).
func (s *Store) BuildIndexes(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	select {
	case s.token <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return ErrClosed
	}
	defer func() { <-s.token }()
	return s.buildIndexes(ctx)
}

// buildIndexes indexes every table that schema_tables says is not indexed
// yet, each table in a transaction of its own, and refreshes its planner
// statistics. The caller holds the writer (or is Open).
func (s *Store) buildIndexes(ctx context.Context) error {
	for _, t := range s.tables {
		start := time.Now()
		built := false
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			// The row lock keeps two processes from building one table's
			// indexes at once.
			var indexed bool
			if err := tx.QueryRow(ctx, "SELECT indexed FROM schema_tables WHERE name = $1 FOR UPDATE", t.name).Scan(&indexed); err != nil {
				return err
			}
			if indexed {
				return nil
			}
			for _, stmt := range t.ddl[1:] {
				if _, err := tx.Exec(ctx, stmt); err != nil {
					return fmt.Errorf("%s: %w", stmt, err)
				}
			}
			if _, err := tx.Exec(ctx, "ANALYZE "+t.ident); err != nil {
				return err
			}
			built = true
			_, err := tx.Exec(ctx, "UPDATE schema_tables SET indexed = true WHERE name = $1", t.name)
			return err
		})
		if err != nil {
			return fmt.Errorf("table %q: build indexes: %w", t.name, err)
		}
		if built {
			s.log.Info().Str("table", t.name).Int("indexes", len(t.ddl)-1).Dur("took", time.Since(start)).Msg("built deferred indexes")
		}
	}
	return nil
}
