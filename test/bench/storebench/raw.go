package storebench

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "modernc.org/sqlite" // the driver the store uses

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
)

// rawDSN opens a file the way the store's writer does (same driver, WAL,
// synchronous setting, page cache, temp store, busy timeout) but with
// SQLite's ordinary automatic checkpoints: what a plain program inserting
// these rows would get.
func rawDSN(path, synchronous string) string {
	if synchronous == "" {
		synchronous = sqlite.DefaultSynchronous
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous("+synchronous+")")
	q.Add("_pragma", "cache_size(-65536)")
	q.Add("_pragma", "temp_store(memory)")
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// rawInsert writes the batched workload's rows into a bare table (no primary
// key, no index): 100 rows per transaction, one prepared single-row INSERT
// per row. It is the floor the store's batched append is compared with.
func (b bench) rawInsert(ctx context.Context, w workload) (float64, error) {
	path := b.path("raw-insert")
	b.remove(path)
	defer b.remove(path)
	db, err := sql.Open("sqlite", rawDSN(path, b.opts.Synchronous))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE raw_events (
		id BLOB, stream TEXT, revision INTEGER, type TEXT, version INTEGER,
		recorded INTEGER, data TEXT, metadata TEXT)`); err != nil {
		return 0, err
	}
	b.progress(fmt.Sprintf("%s: %d rows, %d per transaction", NameRawInsert, w.total, appendBatch))
	start := time.Now()
	for g, group := range w.groups {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		stmt, err := tx.PrepareContext(ctx, "INSERT INTO raw_events VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
		if err != nil {
			_ = tx.Rollback()
			return 0, err
		}
		recorded := time.Now().UnixNano()
		for i, e := range group {
			meta := fmt.Sprintf(`{"correlationId":%q,"node":%q,"namespace":%q}`, e.Metadata.CorrelationID, e.Metadata.Node, e.Metadata.Namespace)
			if _, err := stmt.ExecContext(ctx, e.ID[:], w.streams[g], i+1, e.Type, e.Version, recorded, string(e.Data), meta); err != nil {
				_ = tx.Rollback()
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	el := time.Since(start)
	return rate(w.total, el), db.Close()
}
