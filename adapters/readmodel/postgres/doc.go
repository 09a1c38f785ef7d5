// Package postgres is the PostgreSQL read model: projections.Store on one
// schema of a PostgreSQL (13 or later; developed on 15) database through pgx
// v5, opened with Open(ctx, Config, tables, zerolog.Logger). It passes the
// contract suite in test/contract/readmodel, and its Digest is the SQLite
// adapter's, byte for byte (TestDigestEqualsSQLite), so a read model built
// on either can be compared with one built on the other.
//
// # Schema: generated from the declarations, recorded by hash
//
// As in the SQLite adapter (whose doc.go says why), the tables are
// generated from their declarations (projections.NewTable), deterministically
// (TestDDLIsGeneratedFromTheDeclaration shows the output): one table per
// declaration with one typed column per field, the namespace first, then
// "doc", the primary key (namespace, key), a B-tree index (namespace, field
// NULLS FIRST, key) per sortable field other than the key, and a GIN index
// per string list. What stays fixed is in numbered migrations embedded in
// the binary (migrations/NNNN_*.sql, recorded in schema_migrations):
// schema_tables and checkpoints. schema_tables records each table's DDL and
// its SHA-256; Open creates a declared table the schema lacks and refuses,
// with ErrSchemaChanged, one whose recorded hash differs from its
// declaration's. The rebuild into a new schema is the migration. Open does
// all of this in one transaction under an advisory lock, so instances
// starting together against a new database do it once. Unqualified names
// resolve to Config.Schema through the connections' search_path.
//
// Columns, per field type. The contract's strings are any bytes (invalid
// UTF-8, NUL), which text cannot hold, and its times are a nanosecond
// apart, which timestamptz cannot tell:
//
//	String      bytea          compared byte by byte, as the reference;
//	                           psql: convert_from(author, 'UTF8')
//	Enum        text COLLATE "C"  declared values, byte order
//	Int         bigint
//	Time        bigint         Unix nanoseconds: 1678-2262; a row outside is
//	                           an ErrInvalidRow, a filter outside is decided
//	                           exactly (as in SQLite)
//	UUID        uuid           ordered by its bytes
//	Hash        bytea          its 32 bytes
//	Bool        boolean
//	StringList  bytea[]        NULL and '{}' are different values
//	doc         json           the document byte for byte as put (jsonb
//	                           would reorder keys and drop whitespace, and
//	                           the contract returns documents verbatim); a
//	                           document that is not UTF-8 is an ErrInvalidRow
//
// # Writes
//
// Begin takes the store's one write token (a second Begin waits) and, in
// the transaction, an advisory lock on the schema, so two processes writing
// one read model take turns. Puts are written behind: checked and encoded
// at once, kept in memory in place of an earlier Put of the same row, and
// written in key order when 4096 are waiting and at Commit: a table's rows
// as one pgx batch of upserts (INSERT ... ON CONFLICT DO UPDATE) when they
// are few, else copied (COPY) into a temporary stage table and merged with
// one INSERT ... SELECT ... ON CONFLICT (copy.go; about three times the
// rows per second of a bulk load). The checkpoints go in the last batch, so
// they commit with the rows. Config.DeferIndexes and
// Store.BuildIndexes are the SQLite adapter's bulk-load path (a rebuild).
//
// # Reads
//
// Find compiles the query (find.go, where.go) to one parameterised SELECT
// and, with q.Count, a count(*) with the same WHERE, both in one
// repeatable-read, read-only transaction so they agree. Only names from
// the declaration are written into the SQL; every value is a parameter with
// an explicit cast. The translation keeps the reference semantics of
// package query exactly, as the SQLite adapter does:
//
//   - NULL: a condition on a NULL scalar is NULL, negated or not; "always"
//     and "never" are col = col and col <> col, which keep that.
//   - ?: the column's ASCII letters folded by
//     decode(translate(encode(col, 'escape'), 'A..Z', 'a..z'), 'escape'),
//     which leaves every other byte alone (lower() would need text and
//     would fold by the locale); the values arrive lower-cased.
//   - :, ^, $ on bytea compare bytes: position(), a range [p, p with its
//     last byte incremented) that the index serves, and substr() of the
//     tail. No LIKE, so % and _ are never special. On a hash they apply to
//     encode(col, 'hex').
//   - String lists: = and @ are an overlap (col && $1), which the GIN index
//     serves; other operators, and ? ones, an EXISTS over unnest(col). Both
//     are never NULL (a NULL list is empty), and ! is their NOT.
//   - Sort: ASC NULLS FIRST and DESC NULLS LAST, the reference's NULL
//     order, which the indexes are built in; the key, never NULL, keeps
//     Postgres' default so that an index scan needs no sort.
//
// Get, Checkpoints and Digest read through the same pool; Digest reads one
// repeatable-read snapshot.
package postgres
