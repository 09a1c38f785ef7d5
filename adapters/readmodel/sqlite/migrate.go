package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded files in version order. A file is named
// NNNN_description.sql; the number is its schema version.
func migrations() ([]migration, error) {
	entries, err := fs.ReadDir(migrationFiles, "migrations")
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v < 1 {
			return nil, fmt.Errorf("migration %q: name must start with a positive number and '_'", e.Name())
		}
		body, err := migrationFiles.ReadFile(path.Join("migrations", e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("migration %q: expected version %d (versions are consecutive)", m.name, i+1)
		}
	}
	return out, nil
}

// setUp brings the fixed schema up to date and creates the declared tables
// that are missing, in one immediate transaction, so two processes opening a
// new file cannot both do it. It refuses a file written by a newer binary,
// and a table created from another declaration (ErrSchemaChanged).
func setUp(ctx context.Context, conn *sql.Conn, tables []*table, deferIndexes bool) (applied, created []string, err error) {
	all, err := migrations()
	if err != nil {
		return nil, nil, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, nil, fmt.Errorf("begin migration: %w", err)
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL) STRICT`); err != nil {
		return nil, nil, fmt.Errorf("create schema_version: %w", err)
	}
	var current int
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&current); err != nil {
		return nil, nil, fmt.Errorf("read schema version: %w", err)
	}
	if current > len(all) {
		return nil, nil, fmt.Errorf("schema version %d is newer than this binary knows (%d)", current, len(all))
	}
	now := time.Now().UTC().UnixNano()
	for _, m := range all[current:] {
		if _, err := conn.ExecContext(ctx, m.sql); err != nil {
			return nil, nil, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_version (version, name, applied) VALUES (?, ?, ?)",
			m.version, m.name, now); err != nil {
			return nil, nil, fmt.Errorf("record migration %s: %w", m.name, err)
		}
		applied = append(applied, m.name)
	}
	for _, t := range tables {
		made, err := createTable(ctx, conn, t, deferIndexes, now)
		if err != nil {
			return nil, nil, err
		}
		if made {
			created = append(created, t.name)
		}
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, nil, fmt.Errorf("commit migration: %w", err)
	}
	return applied, created, nil
}

// createTable creates t unless schema_tables records it; a recorded table
// must have been created from the same DDL. With deferIndexes, only the
// table is created (see Config.DeferIndexes).
func createTable(ctx context.Context, conn *sql.Conn, t *table, deferIndexes bool, now int64) (bool, error) {
	var stored string
	err := conn.QueryRowContext(ctx, "SELECT ddl_hash FROM schema_tables WHERE name = ?", t.name).Scan(&stored)
	switch {
	case err == nil && stored == t.hash:
		return false, nil
	case err == nil:
		return false, fmt.Errorf("table %q: %w (file: %s, this binary: %s); "+
			"rebuild the read model into a new file", t.name, ErrDeclarationChanged, short(stored), short(t.hash))
	case err != sql.ErrNoRows: //nolint:errorlint // QueryRow.Scan returns sql.ErrNoRows itself
		return false, fmt.Errorf("table %q: read schema_tables: %w", t.name, err)
	}
	var n int
	if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_schema WHERE name = ? COLLATE NOCASE", t.name).Scan(&n); err != nil {
		return false, fmt.Errorf("table %q: %w", t.name, err)
	}
	if n > 0 {
		return false, fmt.Errorf("table %q: %w: the file has an object of that name that this adapter did not create", t.name, ErrSchemaChanged)
	}
	ddl := t.ddl
	if deferIndexes {
		ddl = ddl[:1]
	}
	for _, stmt := range ddl {
		if _, err := conn.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("table %q: %s: %w", t.name, stmt, err)
		}
	}
	if _, err := conn.ExecContext(ctx, "INSERT INTO schema_tables (name, ddl_hash, ddl, created, indexed) VALUES (?, ?, ?, ?, ?)",
		t.name, t.hash, strings.Join(t.ddl, ";\n")+";", now, !deferIndexes); err != nil {
		return false, fmt.Errorf("table %q: record: %w", t.name, err)
	}
	return true, nil
}

func short(hash string) string {
	if len(hash) > 12 {
		return hash[:12]
	}
	return hash
}
