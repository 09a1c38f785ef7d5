package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// Page cache per connection, in KiB (SQLite's negative cache_size). The writer
// appends at the end of the table and probes the id index; readers stream
// the table in order, and in WAL mode a reader's cache is emptied whenever
// another connection committed, which on a busy node is many times a second.
// A cached page costs about twice its size in resident memory: modernc's
// allocator rounds each 4 KiB page and its header up to an 8 KiB slot. The
// writer's 1 MiB and the readers' 512 KiB gave the same `bench store` and
// e2e throughput as 4 MiB and 2 MiB and ~18 MB less resident memory per
// member (e2e: ~55 MB of the three members' ~160 MB outside the Go heap);
// pages a cache misses come from the OS's file cache.
const (
	writerCacheKiB = 1 << 10
	readerCacheKiB = 512
)

// readerMmapBytes is 0: readers read pages with pread. A map saved a copy
// per page on sequential reads, but every mapped page a reader touched
// counted in the node's resident set, once per reader connection's view
// (bench query saw hundreds of MiB of it) for no measurable speed on the
// reads a node does.
const readerMmapBytes = 0

// journalSizeLimit truncates the WAL back to this size after a checkpoint
// lets SQLite restart it, so a burst does not leave a huge file behind.
const journalSizeLimit = 64 << 20

// dsn builds a modernc.org/sqlite data source name. Per-connection pragmas go
// in the DSN so every connection database/sql opens gets them.
func dsn(cfg Config, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(cfg.BusyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "synchronous("+cfg.Synchronous+")")
	q.Add("_pragma", "temp_store(memory)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", "mmap_size("+strconv.Itoa(readerMmapBytes)+")")
		q.Add("_pragma", "cache_size(-"+strconv.Itoa(readerCacheKiB)+")")
	} else {
		q.Add("_pragma", "cache_size(-"+strconv.Itoa(writerCacheKiB)+")")
		q.Add("_pragma", "journal_size_limit("+strconv.Itoa(journalSizeLimit)+")")
		// The writer never checkpoints inline; the checkpointer does (checkpoint.go).
		q.Add("_pragma", "wal_autocheckpoint(0)")
	}
	return "file:" + (&url.URL{Path: cfg.Path}).EscapedPath() + "?" + q.Encode()
}

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

// migrate brings the schema up to date in one immediate transaction, so two
// processes opening a new file cannot both apply a migration. It refuses a
// file written by a newer binary.
func migrate(ctx context.Context, conn *sql.Conn) (applied []string, err error) {
	all, err := migrations()
	if err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return nil, fmt.Errorf("begin migration: %w", err)
	}
	defer func() {
		if err != nil {
			_, _ = conn.ExecContext(context.Background(), "ROLLBACK")
		}
	}()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_version (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL) STRICT`); err != nil {
		return nil, fmt.Errorf("create schema_version: %w", err)
	}
	var current int
	if err := conn.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_version").Scan(&current); err != nil {
		return nil, fmt.Errorf("read schema version: %w", err)
	}
	if current > len(all) {
		return nil, fmt.Errorf("schema version %d is newer than this binary knows (%d)", current, len(all))
	}
	for _, m := range all[current:] {
		if _, err := conn.ExecContext(ctx, m.sql); err != nil {
			return nil, fmt.Errorf("migration %s: %w", m.name, err)
		}
		if _, err := conn.ExecContext(ctx, "INSERT INTO schema_version (version, name, applied) VALUES (?, ?, ?)",
			m.version, m.name, time.Now().UTC().UnixNano()); err != nil {
			return nil, fmt.Errorf("record migration %s: %w", m.name, err)
		}
		applied = append(applied, m.name)
	}
	if _, err := conn.ExecContext(ctx, "COMMIT"); err != nil {
		return nil, fmt.Errorf("commit migration: %w", err)
	}
	return applied, nil
}
