// Package sqlite is the embedded read model: projections.Store on one SQLite
// file per node (modernc.org/sqlite, pure Go, as the event store), opened
// with Open(ctx, Config, tables, zerolog.Logger). It passes the contract
// suite in test/contract/readmodel.
//
// # Schema: generated from the declarations, recorded by hash
//
// Tables are declared in Go, next to the projectors that fill them
// (projections.NewTable): the declaration is the source of truth, and the
// API's filters are checked against it. Hand-written CREATE TABLE files
// would repeat it and could drift from it, so the DDL is generated from it,
// deterministically (TestDDLIsGeneratedFromTheDeclaration shows the output):
// one STRICT table per declaration with one typed column per field, the
// namespace first, then "doc" (the document the API returns verbatim), the
// primary key (namespace, key), and one index (namespace, field, key) per
// sortable field other than the key. Every query filters on the namespace;
// such an index serves an equality, range or prefix filter on the field and
// a sort by it in either direction, with the key as the tie-breaker every
// sort ends with. String lists get no index (see Queries).
//
// What stays fixed is in numbered migrations embedded in the binary
// (migrations/NNNN_*.sql, applied in order and recorded in schema_version,
// as the event store does): schema_tables and checkpoints. schema_tables
// records, for each table, the SHA-256 of its generated DDL (and the DDL
// itself, for people reading the file with sqlite3). Open creates a
// declared table the file lacks, and refuses, with ErrSchemaChanged, a table
// whose recorded hash differs from its declaration's. There is no ALTER
// TABLE path on purpose: a read model is derived data, a projector whose
// output changes gets a new name (its checkpoint key) and is replayed from
// position 0 anyway, and a rebuild into a new file is the migration. Tables
// the file holds but nobody declared are left alone. A change in how this
// adapter stores values (below), which the DDL does not show, bumps
// ddlVersion, which is hashed with it.
//
// Columns, per field type; every encoding keeps the order of the values, so
// SQL's comparisons and sorts are the reference's:
//
//	String, Enum  TEXT     as is (compared byte by byte: BINARY collation)
//	Int           INTEGER
//	Time          INTEGER  Unix nanoseconds: 1678-2262; a row outside is an
//	                       ErrInvalidRow, a filter outside is decided exactly
//	UUID          TEXT     canonical, lower case
//	Hash          TEXT     64 lower-case hex digits
//	Bool          INTEGER  0 or 1
//	StringList    TEXT     a JSON array of the strings, read with json_each;
//	                       written byte-exact (listjson.go), not with
//	                       encoding/json, which would replace invalid UTF-8
//
// # Writes
//
// One connection writes; Begin takes it (BEGIN IMMEDIATE), so transactions
// are serialised and a second Begin waits. The statements are prepared once
// per table on that connection. Puts are written behind: Put checks the row
// (Collection.CheckRow, a namespace, a storable time, a JSON document) and
// encodes it at once, keeps it in memory in place of an earlier Put of the
// same row, and the rows are written, sorted by primary key, when 4096 are
// waiting and at Commit (tx.go says why). Get within the transaction sees
// them. Checkpoints are rows of the checkpoints table in the same
// transaction.
//
// In the tables an Open created, a Get of a key never put is answered
// without SQLite: a Bloom filter of the keys put since (absent.go) says
// "never" or "maybe". Projectors look up most rows before their first Put,
// so while a new read model fills (a rebuild, a new node) this saves a
// B-tree search per new message and data item (in a profile of a
// 200,000-event rebuild, 5.0 of its ~45 s of CPU became 0.4).
//
// A row is written with INSERT OR REPLACE, which deletes an existing row
// with all its index entries and inserts them again, unless the
// transaction read it: Get reads the stored columns with the document, and
// the flush then UPDATEs only the columns that differ (none: no write),
// which leaves the indexes of the other columns alone (update.go). A
// message confirmed after it was received pending changes three of its
// nine indexed columns.
//
// Commits do not checkpoint the WAL: a goroutine with its own connection
// does, at most once a second (checkpoint.go), so that the index pages a
// burst of commits rewrites are copied to the database file once, not once
// per commit.
//
// A new row (and a row rewritten unread) enters one index per sortable
// field: nine for a message. That is what a row costs (see the figures
// below), and why a rebuild into a new file should set Config.DeferIndexes:
// the tables are created without their secondary indexes, filled, and
// indexed at the end (Store.BuildIndexes, or the next Open without
// DeferIndexes), which sorts each index once instead of inserting into it
// row by row.
//
// SQLite's planner needs statistics to choose between the index of a filter
// and the index of the sort: Open, Close, Begin (at most once a minute) and
// BuildIndexes run PRAGMA optimize / ANALYZE. A sampling ANALYZE
// (analysis_limit) is no good here: every index starts with the namespace,
// the sample sees one value, and the estimates come out worse than none.
//
// # Reads
//
// Find, Get, Checkpoints and Digest run on a separate pool of read-only
// connections (WAL: readers never wait for the writer), so they see
// committed transactions only. Find compiles the query (find.go) to one
// parameterised SELECT of the documents, and a SELECT count(*) with the same
// WHERE when q.Count, both in one read transaction so that they agree. Only
// names from the declaration are written into the SQL; every value is a
// parameter. The translation keeps the reference semantics of package
// query exactly:
//
//   - NULL: a condition on a NULL scalar is NULL, negated or not, so it never
//     matches; the expressions standing for "always" and "never" (a time
//     outside the storable years, an empty pattern) are col = col and
//     col <> col, which keep that.
//   - ?: lower() on the column (ASCII only without ICU, as the reference);
//     the values arrive lower-cased.
//   - :, $ compare bytes: instr and substr on BLOBs (on TEXT they count
//     characters); ^ is the range [p, p with its last byte incremented),
//     which an index serves. No LIKE, so % and _ are never special.
//   - String lists: EXISTS over json_each, NOT EXISTS when negated (a NULL
//     list is empty). An instr on the JSON text first, which holds whenever
//     an element can match, spares json_each the rows that cannot.
//   - Sort: SQLite puts NULL first ascending and last descending, as the
//     reference does.
//
// A filtered, sorted page may be read by walking the sort's index instead
// of the filter's (sortwalk.go): with statistics, SQLite serves
// author=X&sort=-created by the author index and sorts all of that
// author's rows to return 25, where walking the created index finds them
// after a few hundred. The statistics (sqlite_stat1) say when a filter is
// common enough for the walk to win; the walk looks at a bounded number of
// rows and answers only when it found the whole page there (then exactly
// the page the ordinary query returns), else the ordinary query runs.
//
// Readers do not map the file (mmap_size 0): a map covers only the start of
// a large file, and each reader connection's map counts again in the
// process's resident memory.
//
// Digest hashes one read snapshot of every table and the checkpoints, in an
// encoding defined by the values rather than by SQLite's storage (see
// Digest), which TestDigestEncoding computes by hand.
//
// # Figures
//
// BenchmarkPut, BenchmarkProjectorShape and BenchmarkFind (-benchtime
// 200000x for the first two), on the 2-core development machine (Go 1.26,
// default config, so an 8 MiB page cache; 64 MiB in brackets), with message
// rows of ~700-byte documents and 13 secondary indexes (measured before the
// messages table kept only nine; BenchmarkConfirmPending, the rewrite of a
// received message as confirmed, went from ~9.5k to ~21k rows/s with the
// UPDATE of changed columns):
//
//	new rows, indexes kept, 1000 per transaction    6.9k puts/s   (7.9k)
//	new rows, indexes kept, one transaction         16k puts/s    (19k)
//	new rows, DeferIndexes, one transaction, build  25k puts/s
//	projector replay (3 Gets and Puts per message,
//	  201 events per 100 messages), live, 1000
//	  events per transaction                        10k events/s  (12k)
//	the same, DeferIndexes, 10,000 per transaction  36k events/s
//	1,000,000 rows: load 38k rows/s, then 29s to build the 13 indexes
//	  (and ANALYZE): 18k rows/s in all
//
// and, on those 1,000,000 rows (all in one namespace), per request:
//
//	state=confirmed&sort=-created&limit=25          0.2 ms
//	  the same with count=true (800,000)            54 ms
//	topics=topic-042 (0.4% of the rows)             10 ms
//	  with count=true                               700 ms
//	author=^did:firefly:org/org-01&count=true (5%)  250 ms
//	author=did:firefly:org/org-007&count=true       24 ms
//	tag=tag-03&state=pending&count=true             160 ms
//	batch=<uuid>                                    0.4 ms
//	Get by id                                       0.014 ms
//
// What a row costs is its indexes: SQLite (modernc) takes 2-3 µs per entry
// to sort an index, and several times that to insert entries one at a time
// into indexes larger than the page cache, as a dozen indexes on random keys
// are. A count scans every matching index entry, and a count on a string
// list parses the list of every row of the namespace that the instr test
// lets through.
//
// So is what a rewrite costs: BenchmarkConfirmPending (20,000 messages
// inserted pending, then each read and confirmed, 200 per transaction)
// rewrites 8-10k rows/s with INSERT OR REPLACE and 19-22k with the UPDATE
// of the changed columns.
package sqlite
