package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations lists the embedded files in version order. A file is named
// NNNN_description.sql; the number is its schema version, and versions are
// consecutive from 1.
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

// setUpLockKey is the first half of the advisory lock that serialises
// set-ups; the second is the schema name's hash, so read models in
// different schemas set up independently.
const setUpLockKey = 0x4c4d524d // "LMRM"

// setUp creates the schema if needed, applies pending migrations and
// creates the declared tables the schema lacks, in one transaction under a
// transaction-level advisory lock: instances starting at once against a new
// database do it exactly once, and a failure leaves nothing behind
// (Postgres DDL is transactional). It refuses a schema written by a newer
// binary, and a table created from another declaration (ErrSchemaChanged).
// conn's search_path must already name the schema.
func setUp(ctx context.Context, conn *pgx.Conn, schema string, tables []*table, deferIndexes bool) (applied, created []string, err error) {
	all, err := migrations()
	if err != nil {
		return nil, nil, err
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("begin migration: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback(context.Background())
		}
	}()
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", int32(setUpLockKey), schema); err != nil {
		return nil, nil, fmt.Errorf("lock migrations: %w", err)
	}
	if _, err := tx.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return nil, nil, fmt.Errorf("create schema: %w", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, name text NOT NULL, applied timestamptz NOT NULL DEFAULT now())`); err != nil {
		return nil, nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	var current int
	if err := tx.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return nil, nil, fmt.Errorf("read schema version: %w", err)
	}
	if current > len(all) {
		return nil, nil, fmt.Errorf("schema %q is at version %d, newer than this binary knows (%d)", schema, current, len(all))
	}
	for _, m := range all[current:] {
		if _, err := tx.Exec(ctx, m.sql); err != nil {
			return nil, nil, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version, m.name); err != nil {
			return nil, nil, fmt.Errorf("record migration %s: %w", m.name, err)
		}
		applied = append(applied, m.name)
	}
	for _, t := range tables {
		made, err := createTable(ctx, tx, schema, t, deferIndexes)
		if err != nil {
			return nil, nil, err
		}
		if made {
			created = append(created, t.name)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, nil, fmt.Errorf("commit migration: %w", err)
	}
	return applied, created, nil
}

// createTable creates t unless schema_tables records it; a recorded table
// must have been created from the same DDL. With deferIndexes, only the
// table is created (see Config.DeferIndexes).
func createTable(ctx context.Context, tx pgx.Tx, schema string, t *table, deferIndexes bool) (bool, error) {
	var stored string
	err := tx.QueryRow(ctx, "SELECT ddl_hash FROM schema_tables WHERE name = $1", t.name).Scan(&stored)
	switch {
	case err == nil && stored == t.hash:
		return false, nil
	case err == nil:
		return false, fmt.Errorf("table %q: %w (schema: %s, this binary: %s); "+
			"rebuild the read model into a new schema", t.name, ErrSchemaChanged, short(stored), short(t.hash))
	case !errors.Is(err, pgx.ErrNoRows):
		return false, fmt.Errorf("table %q: read schema_tables: %w", t.name, err)
	}
	var n int
	if err := tx.QueryRow(ctx, "SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace "+
		"WHERE s.nspname = $1 AND c.relname = $2", schema, t.name).Scan(&n); err != nil {
		return false, fmt.Errorf("table %q: %w", t.name, err)
	}
	if n > 0 {
		return false, fmt.Errorf("table %q: %w: the schema has an object of that name that this adapter did not create", t.name, ErrSchemaChanged)
	}
	ddl := t.ddl
	if deferIndexes {
		ddl = ddl[:1]
	}
	for _, stmt := range ddl {
		if _, err := tx.Exec(ctx, stmt); err != nil {
			return false, fmt.Errorf("table %q: %s: %w", t.name, stmt, err)
		}
	}
	if _, err := tx.Exec(ctx, "INSERT INTO schema_tables (name, ddl_hash, ddl, indexed) VALUES ($1, $2, $3, $4)",
		t.name, t.hash, strings.Join(t.ddl, ";\n")+";", !deferIndexes || len(t.ddl) == 1); err != nil {
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
