// Package sqlite is the embedded event store: domain/event.Store on one SQLite
// file per node, opened with Open(ctx, Config, zerolog.Logger). It passes the
// contract suite in test/contract/eventstore.
//
// # Driver
//
// modernc.org/sqlite, the pure-Go translation of SQLite, rather than the cgo
// github.com/mattn/go-sqlite3: a machine with only Go installed can `go run`
// and cross-compile the node. Measured on the 2-core development machine
// (Go 1.26, WAL, synchronous=normal, 200,000 rows of ~300-byte JSON, 100 rows
// per transaction, one prepared single-row INSERT per row; two runs each):
//
//	                                          modernc         mattn (cgo)
//	insert, event-shaped table with a
//	  unique index on random 16-byte ids     23.5k / 22.5k   25.7k / 26.1k rows/s
//	insert, table with position key only     83.8k / 81.7k  107.9k / 104.2k rows/s
//	full sequential read                      329k / 326k     378k / 394k rows/s
//
// cgo is 10-30% faster on writes and 15-25% on reads, which is not worth
// losing the pure-Go build (and the cgo build adds a minute of C compilation).
// The first row also shows what an ordinary unique index on random event ids
// costs; see "Event ids" below for how the store avoids it.
//
// # File, WAL and durability
//
// The file runs in WAL mode so readers never block the writer or each other.
// Config.Synchronous defaults to "normal": a commit has been written to the WAL
// (handed to the operating system) before Append returns, so a process crash
// or kill -9 never loses an acknowledged event; the WAL is fsynced at each
// checkpoint, so a power loss or kernel crash can lose the commits since the
// last checkpoint (normally well under a second) but never corrupts the file
// or reorders what survives. "full" fsyncs the WAL at every group commit and
// survives power loss too; it costs one fsync per commit, which group commit
// shares among concurrent appends: on the development machine batched appends
// went from ~69k to 44-50k events/s and one-event appends from ~14k to
// 2.5-3k/s.
//
// Checkpoints run on a connection of their own (the writer's has
// wal_autocheckpoint off): a PASSIVE checkpoint after commits, at most every
// 50ms, never blocks the writer or readers. When the WAL passes ~32 MiB, the
// writer runs one more passive checkpoint between two transactions so the
// WAL can start over even under a steady stream of commits (nothing waits for
// readers). Only one process may open a store file.
//
// # One writer, group commit
//
// A single goroutine owns the write connection. Append validates and encodes
// its events on the caller's goroutine (event.ValidateAppend, metadata JSON),
// then queues them. The writer takes the first queued append and everything
// else already queued, up to Config.MaxBatch events (an append larger than
// that commits alone), and commits them in one transaction. Each append is
// judged on its own before any of its rows is written: first idempotency
// (every id stored in this stream with event.SameContent: a no-op returning
// where the events are, Duplicate=true; any other stored id, or only some of
// the ids: *event.DuplicateEventIDError), then the expected revision against
// the writer's cache of stream revisions. An append that fails its checks
// therefore fails alone and leaves nothing to undo, without savepoints. Rows of
// the appends that pass are inserted with multi-row INSERTs. If the
// transaction itself fails (I/O, disk full), the writer reloads its state from
// the file and retries each append in a transaction of its own.
//
// An append waiting in the queue is withdrawn when its context ends: Append
// returns ctx.Err() and nothing is stored. Once the writer has taken it into a
// transaction it is skipped only if its context is already done when its turn
// comes; otherwise Append waits for that commit (milliseconds) and returns its
// result, so what Append returns is always true.
//
// # Positions
//
// The position is the table's INTEGER PRIMARY KEY, assigned by the writer as
// head+1, head+2, ... in the order it processes appends, and a transaction is
// visible all at once when it commits. With one writer there are no concurrent
// transactions to commit out of order (what makes a Postgres sequence unsafe
// here), and no sequence that a rolled-back transaction consumes: on rollback
// the writer's next position returns to head+1. So positions are strictly
// increasing in commit order and contiguous. The writer publishes the new head
// after the commit and before any appender or subscriber hears of it, so a
// reader that has seen position N never later finds a new event below N.
//
// # Event ids
//
// Idempotency needs every id looked up before insert. Ids are random UUIDs, so
// a unique index maintained on insert dirties about one index page per event
// in every commit; with 100-event commits that made batched appends about
// 2.5-3x slower. Instead, ids of the most recent events (the tail) are kept in the
// writer's memory, and are merged into the event_ids table in one sorted bulk
// insert when the tail reaches 1/32 of the indexed ids (at least 64Ki, at most
// 256Ki), in a transaction that also records the last merged position. On
// open, the tail is rebuilt from the events after that position. A lookup
// checks the tail, then event_ids with one IN query per batch of ids.
//
// # Reads and subscriptions
//
// Reads use a separate pool of read-only connections (query_only, the first
// 256 MiB of the file memory-mapped), so they see committed transactions only.
// A subscription is one loop for catch-up and live: read the next page after
// the last position it passed (delivered or filtered out), send the matching
// events on a small buffered channel, and when it has caught up with the head,
// wait for the writer's per-commit notification (a channel closed and replaced
// at each commit, taken before the head is checked so no commit is missed).
// Config.PollInterval is only a safety net. Because every event is read from
// the file by position, the switch from catch-up to live has no gap and no
// duplicate, and a slow consumer only slows its own reads.
//
// Measured with test/bench/storebench (200,000 events, fresh files, default
// config; `ledgermirror bench store`) on the development machine, three runs:
// batched appends 68-70k events/s (0.86-0.89x plain batched INSERTs into a
// bare table), one event per Append 13-15k/s, ReadAll 345-360k events/s,
// catch-up subscription 322-333k events/s.
package sqlite
