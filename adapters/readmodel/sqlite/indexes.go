package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// BuildIndexes creates the secondary indexes of the tables created with
// Config.DeferIndexes, and does nothing for the others. It takes the writer,
// waiting for the transaction in progress; it takes seconds per million
// rows and table, during which Begin waits. Reads go on meanwhile.
func (s *Store) BuildIndexes(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	select {
	case s.w.token <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.closing:
		return ErrClosed
	}
	defer func() { <-s.w.token }()
	defer s.stats.invalidate()
	if err := s.buildIndexes(ctx); err != nil {
		return err
	}
	// The bulk load is over: the writer goes back to the configured cache
	// (dsn gave it bulkLoadCacheMiB), as it serves from now on.
	if _, err := s.w.conn.ExecContext(ctx, "PRAGMA cache_size = -"+strconv.Itoa(s.cfg.CacheMiB<<10)); err != nil {
		return fmt.Errorf("resetting the writer's cache: %w", err)
	}
	return nil
}

// buildIndexes indexes every table that schema_tables says is not indexed
// yet, each table in a transaction of its own. The caller holds the writer.
func (s *Store) buildIndexes(ctx context.Context) error {
	for _, t := range s.tables {
		var indexed bool
		if err := s.w.conn.QueryRowContext(ctx, "SELECT indexed FROM schema_tables WHERE name = ?", t.name).Scan(&indexed); err != nil {
			return fmt.Errorf("table %q: %w", t.name, err)
		}
		if indexed || len(t.ddl) == 1 {
			if !indexed {
				if _, err := s.w.conn.ExecContext(ctx, "UPDATE schema_tables SET indexed = 1 WHERE name = ?", t.name); err != nil {
					return fmt.Errorf("table %q: %w", t.name, err)
				}
			}
			continue
		}
		start := time.Now()
		if err := s.indexTable(ctx, t); err != nil {
			return fmt.Errorf("table %q: build indexes: %w", t.name, err)
		}
		s.log.Info().Str("table", t.name).Int("indexes", len(t.ddl)-1).Dur("took", time.Since(start)).Msg("built deferred indexes")
	}
	return nil
}

func (s *Store) indexTable(ctx context.Context, t *table) (err error) {
	if _, err := s.w.begin.ExecContext(ctx); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_, _ = s.w.rollback.Exec()
		}
	}()
	for _, stmt := range slices.Concat(t.ddl[1:], []string{"ANALYZE " + t.ident}) {
		if _, err := s.w.conn.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	if _, err := s.w.conn.ExecContext(ctx, "UPDATE schema_tables SET indexed = 1 WHERE name = ?", t.name); err != nil {
		return err
	}
	_, err = s.w.commit.ExecContext(ctx)
	return err
}
