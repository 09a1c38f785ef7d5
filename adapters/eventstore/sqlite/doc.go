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
// per transaction, one prepared single-row INSERT per row; two runs each,
// rounded):
//
//	                                                 modernc   mattn (cgo)
//	insert, event-shaped table with a unique
//	  index on random 16-byte ids                   23.5k     25.7k rows/s   (+9%)
//	insert, bare table with a position key only     83k       106k rows/s    (+28%)
//	full sequential read                            328k      386k rows/s    (+18%)
//
// cgo buys 10-30%, which is not worth requiring a C toolchain for `go run`
// and cross-compiling (the cgo build also adds a minute of C compilation).
// The first row also shows what an ordinary unique index on random event ids
// costs; see "Event ids" for how the store avoids it.
//
// # File, WAL and durability
//
// The file runs in WAL mode so readers never block the writer or each other.
// Config.Synchronous defaults to "normal": a commit has been written to the WAL
// (handed to the operating system) before Append returns, so a process crash
// or kill -9 never loses an acknowledged event; the WAL is fsynced at each
// checkpoint, so a power loss or kernel crash can lose the commits since the
// last checkpoint (normally well under a second) but never corrupts the file
// or reorders what survives. Positions lost that way are assigned again to
// new events, so a reader outside the file that had seen them (a projection
// checkpoint in another database) could then see other events at those
// positions; nodes that cannot accept that run "full". "full" fsyncs the WAL
// at every group commit and survives power loss too; it costs one fsync per
// commit, which group commit shares among concurrent appends: on the
// development machine batched appends went from ~69k to 44-50k events/s and
// one-event appends from ~14k to 2.5-3k/s.
//
// Checkpoints run on a connection of their own (the writer's has
// wal_autocheckpoint off): a PASSIVE checkpoint after commits, at most every
// 50ms, never blocks the writer or readers. When the WAL passes ~32 MiB, the
// writer runs one more passive checkpoint between two transactions so the
// WAL can start over even under a steady stream of commits (nothing waits for
// readers).
//
// # One store per file
//
// Everything below assumes the Store is the file's only writer: the head, the
// stream revisions and the unindexed tail of event ids live in its memory.
// Two Stores on one file would hand out the same positions and let the same
// event id in twice, so Open refuses a file that is already open, with an
// error wrapping ErrLocked that names the file and, if another process holds
// it, that process's pid. The claim is held from Open to Close, and taken
// twice over:
//
//   - a process-wide set of open files (by absolute path with symlinks
//     resolved) refuses a second Store in the same process, on every
//     platform;
//   - an exclusive, non-blocking flock on "<path>.lock" refuses other
//     processes on Linux, macOS and the BSDs. The kernel drops it when the
//     holder's descriptor closes, including when the process is killed, so a
//     crashed node never blocks its own restart; no stale-lock cleanup
//     exists or is needed. The lock is on a file of its own, never the
//     database: SQLite holds POSIX record locks on the database, and closing
//     any descriptor of that file in this process would drop them. The lock
//     file is left in place on Close (removing it would let a third opener
//     lock a new inode while the old one is still held).
//
// Elsewhere (Windows, Solaris and illumos, AIX, Plan 9, wasm) only the in-process check
// applies: the lock file is created but not locked, and keeping to one node
// per data directory is up to the operator. Close releases the lock only
// after the files are closed, and a failed Open releases it before returning.
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
// the appends that pass are inserted with multi-row INSERTs.
//
// If the transaction itself fails (I/O, disk full), the writer rolls back,
// marks its memory stale and reloads it from the file (head, next position,
// an empty revision cache, the id tail); no transaction starts while the
// reload has not succeeded. It then retries each append in a transaction of
// its own, so one bad append cannot sink the others. A COMMIT that reports an
// error may have committed all the same; since the writer is the file's only
// user, the reloaded head tells which: if it is the transaction's last
// position, the commit landed, the head is published, and every append keeps
// the outcome it was given in that transaction (retrying would report a
// first append as a Duplicate of itself).
//
// An append waiting in the queue is withdrawn when its context ends: Append
// returns ctx.Err() and nothing is stored. Once the writer has taken it into a
// transaction it is skipped only if its context is already done when its turn
// comes; otherwise Append waits for that commit (milliseconds) and returns its
// result, so what Append returns is always true: a result means stored, an
// error from the context means not stored. Close stops the writer after the
// transaction in progress; appends still queued fail with event.ErrClosed.
//
// # Positions
//
// The position is the table's INTEGER PRIMARY KEY, assigned by the writer as
// head+1, head+2, ... in the order it processes appends, and a transaction is
// visible all at once when it commits. With one writer there are no concurrent
// transactions to commit out of order (what makes a Postgres sequence unsafe
// here), and no sequence that a rolled-back transaction consumes: after a
// failure the writer's next position is the file's head+1 again. So positions
// are strictly increasing in commit order and contiguous. The writer
// publishes the new head after the commit and before any appender or
// subscriber hears of it, so the head never names a position a reader cannot
// read yet.
//
// That is why a reader can never skip a position: every read is "the events
// after the last position I passed, in position order" on a snapshot of
// committed transactions, and the committed positions are always exactly
// 1..head. An event that is not yet visible will get a position above every
// visible one, never one in between.
//
// # Event ids
//
// Idempotency needs every id looked up before insert. Ids are random UUIDs, so
// a unique index maintained on insert dirties about one index page per event
// in every commit; with 100-event commits that made batched appends about
// 2.5-3x slower. Instead, the index is deferred: the ids of the most recent
// events (the tail) are kept in the writer's memory, and are merged into the
// event_ids table in one sorted bulk insert when the tail reaches 1/32 of the
// indexed ids (at least 64Ki, at most 256Ki), between two group commits. A
// lookup checks the tail, then event_ids with one IN query per batch of ids.
//
// The invariant is that event_ids holds exactly the ids of positions
// 1..ids_indexed_through (a column of store_state) and the tail exactly those
// after it. A merge inserts the rows and moves ids_indexed_through in one
// transaction, so a crash at any moment, during a merge included, leaves
// either the old split or the new one; on open, the writer reads
// ids_indexed_through and rebuilds the tail from the events after it (merging
// at once if it is already over the threshold). A merge that fails, even
// after its COMMIT, makes the writer reload the split from the file rather
// than guess. So a retry of any acknowledged append finds its ids, before or
// after Close, and after kill -9. TestCrashRecovery checks exactly this: a
// child process appends with merges every few commits and is killed at
// random moments and inside merges, round after round on one file.
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
// Config.PollInterval is only a safety net. Because catch-up and live are the
// same read by position, the switch between them has no gap and no
// duplicate, and a slow consumer only slows its own reads.
//
// # The live tail
//
// A member runs several live subscriptions on one store (node view,
// aggregator, projections, search, delivery), and each used to query the
// file for the same new rows and decode the same payloads. The writer knows
// what it has just committed, so it keeps the latest committed events in a
// bounded ring (tail.go; Config.TailEvents and TailBytes), added after the
// COMMIT and before the head is published. A subscription takes its next
// page from the tail when the tail holds the position right after its own,
// and from the file otherwise (catching up, fallen behind the tail, or a gap
// a failed-but-landed COMMIT left, after which the tail starts over). Events
// from the tail share one Data and one event.Memo per event, so
// catalogue.Decode runs once per event per member; events read from the file
// have no Memo. Which source served a page changes nothing a subscriber can
// observe but the Memo: same events, same order, same filters.
//
// Measured with test/bench/storebench (200,000 events, fresh files, default
// config; `ledgermirror bench store`) on the development machine, three runs:
// batched appends 68-70k events/s (0.86-0.89x plain batched INSERTs into a
// bare table), one event per Append 13-15k/s, ReadAll 345-360k events/s,
// catch-up subscription 322-333k events/s.
package sqlite
