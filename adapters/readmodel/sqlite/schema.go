package sqlite

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// ErrSchemaChanged is returned (wrapped) by Open when the file holds a table
// created from another declaration than the one given: the read model must
// be rebuilt into a new file.
var ErrSchemaChanged = errors.New("read-model table declaration changed")

// ErrDeclarationChanged is the ErrSchemaChanged of a table this adapter
// created from another declaration (another version's columns or
// indexes), as opposed to an object of that name it did not create: the
// file is a read model of this node's, which can be rebuilt from the log
// without losing anything.
var ErrDeclarationChanged = fmt.Errorf("%w: the table was created from another declaration", ErrSchemaChanged)

// docColumn holds each row's document.
const docColumn = "doc"

// ddlVersion is hashed with every table's DDL: a change in how this adapter
// stores values (not visible in the DDL) bumps it, and makes old files
// refuse to open rather than be misread.
const ddlVersion = "ledgermirror readmodel/sqlite ddl v1"

// reservedTables are this adapter's own tables.
var reservedTables = []string{"schema_version", "schema_tables", "checkpoints"}

// column is one field of a table as stored.
type column struct {
	name     string
	ident    string // quoted for SQL
	typ      query.Type
	sortable bool
}

// table is a declared table and everything generated from it: its DDL, the
// hash that identifies the DDL, and the statements that read and write it.
type table struct {
	decl   *projections.Table
	index  int // in Store.tables, which is in name order
	name   string
	ident  string
	cols   []column // namespace first, in declaration order
	byName map[string]int
	key    int // index of the key column
	ddl    []string
	hash   string

	insertSQL string // every column and doc
	getSQL    string // doc by namespace and key
	rowSQL    string // every column and doc by namespace and key, as insertSQL's arguments
	// updatable: every column and the doc fit a changedColumns mask, so a
	// row read in the transaction can be rewritten with an UPDATE of the
	// columns that changed (update.go).
	updatable bool
	scanSQL   string // every column and doc, in (namespace, key) order
	// fresh: this Store's Open created the table, so Store.putKeys has
	// seen every key it holds.
	fresh bool
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// newTable generates the schema of one declared table.
func newTable(decl *projections.Table) (*table, error) {
	name := decl.Name()
	if strings.HasPrefix(strings.ToLower(name), "sqlite_") || containsFold(reservedTables, name) {
		return nil, fmt.Errorf("table %q: the name is reserved", name)
	}
	t := &table{decl: decl, name: name, ident: quoteIdent(name), byName: map[string]int{}}
	lower := map[string]bool{strings.ToLower(docColumn): true}
	for i, f := range decl.Fields() {
		if lower[strings.ToLower(f.Name)] {
			// SQLite's identifiers ignore ASCII case, and doc is the document.
			return nil, fmt.Errorf("table %q: field %q clashes with another column (names ignore case; %q is reserved)", name, f.Name, docColumn)
		}
		lower[strings.ToLower(f.Name)] = true
		t.byName[f.Name] = i
		t.cols = append(t.cols, column{name: f.Name, ident: quoteIdent(f.Name), typ: f.Type, sortable: f.Sortable})
	}
	if len(t.cols) == 0 || t.cols[0].name != projections.NamespaceField || t.cols[0].typ != query.String {
		return nil, fmt.Errorf("table %q: the first column is not the namespace string", name)
	}
	t.key = t.byName[decl.Key()]
	if t.key == 0 {
		return nil, fmt.Errorf("table %q: the key cannot be the namespace", name)
	}
	t.ddl = t.generateDDL()
	sum := sha256.Sum256([]byte(ddlVersion + "\n" + strings.Join(t.ddl, ";\n")))
	t.hash = hex.EncodeToString(sum[:])

	idents := make([]string, len(t.cols))
	marks := make([]string, len(t.cols)+1)
	for i, c := range t.cols {
		idents[i], marks[i] = c.ident, "?"
	}
	marks[len(t.cols)] = "?"
	all := strings.Join(idents, ", ") + ", " + quoteIdent(docColumn)
	pk := t.cols[0].ident + ", " + t.cols[t.key].ident
	t.insertSQL = "INSERT OR REPLACE INTO " + t.ident + " (" + all + ") VALUES (" + strings.Join(marks, ", ") + ")"
	t.getSQL = "SELECT " + quoteIdent(docColumn) + " FROM " + t.ident + " WHERE " + t.cols[0].ident + " = ? AND " + t.cols[t.key].ident + " = ?"
	t.rowSQL = "SELECT " + all + " FROM " + t.ident + " WHERE " + t.cols[0].ident + " = ? AND " + t.cols[t.key].ident + " = ?"
	t.scanSQL = "SELECT " + all + " FROM " + t.ident + " ORDER BY " + pk
	t.updatable = len(t.cols)+1 <= 64
	return t, nil
}

// generateDDL writes the table and its indexes. The output depends on the
// declaration only (names, types, order, sortability, key), so its hash
// identifies the declaration.
//
// The primary key is (namespace, key). Each sortable field other than the
// key gets an index on (namespace, field, key): every query filters on the
// namespace, and the index serves both a filter on the field (equality,
// range, prefix) and a sort by it, in either direction, with the key as the
// tie-breaker every sort ends with. String lists have no index (json_each).
func (t *table) generateDDL() []string {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + t.ident + " (\n")
	for i, c := range t.cols {
		b.WriteString("    " + c.ident + " " + sqlType(c.typ))
		if i == 0 || i == t.key {
			b.WriteString(" NOT NULL")
		}
		b.WriteString(",\n")
	}
	b.WriteString("    " + quoteIdent(docColumn) + " TEXT NOT NULL,\n")
	b.WriteString("    PRIMARY KEY (" + t.cols[0].ident + ", " + t.cols[t.key].ident + ")\n) STRICT")
	ddl := []string{b.String()}
	for i, c := range t.cols {
		if i == 0 || i == t.key || !c.sortable {
			continue
		}
		ddl = append(ddl, "CREATE INDEX "+quoteIdent(t.name+"_by_"+c.name)+" ON "+t.ident+
			" ("+t.cols[0].ident+", "+c.ident+", "+t.cols[t.key].ident+")")
	}
	return ddl
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}

// journalSizeLimit truncates the WAL back to this size after a checkpoint
// lets SQLite restart it, so a rebuild's burst does not leave a huge file.
const journalSizeLimit = 64 << 20

// readerMmapBytes is 0: readers do not map the file. A map covers the
// start of the file only, a small part of a read model of a million
// messages, and every reader connection maps it again, each page it touched
// counting in the process's resident memory (four readers, 256 MiB each:
// 450 MiB resident after a query benchmark, against 180 without); reads
// through the page cache answered the same query mix as fast.
const readerMmapBytes = 0

// bulkLoadCacheMiB is the writer's page cache during a bulk load. 64 MiB
// rebuilt 200,000 events ~4% faster than 16 but held ~80 MB more resident
// memory (a cached page takes an 8 KiB slot), most of a rebuild's peak.
const bulkLoadCacheMiB = 16

// sorterThreads is how many helper threads the writer's large sorts may
// use.
const sorterThreads = 2

// dsn builds a modernc.org/sqlite data source name. Per-connection pragmas
// go in the DSN so every connection database/sql opens gets them.
func dsn(cfg Config, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout("+strconv.FormatInt(cfg.BusyTimeout.Milliseconds(), 10)+")")
	q.Add("_pragma", "synchronous("+cfg.Synchronous+")")
	q.Add("_pragma", "temp_store(memory)")
	cache := cfg.CacheMiB
	if readOnly {
		cache = cfg.ReaderCacheMiB
	}
	if !readOnly && cfg.DeferIndexes {
		// A bulk load (a rebuild into a new generation) rewrites the same
		// pages of every table's B-tree many times per transaction and then
		// sorts each table for its indexes; a bigger writer cache for that
		// while saves re-reading them. The serving read model keeps cfg's.
		cache = max(cache, bulkLoadCacheMiB)
	}
	q.Add("_pragma", "cache_size(-"+strconv.Itoa(cache<<10)+")")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", "mmap_size("+strconv.Itoa(readerMmapBytes)+")")
	} else {
		q.Add("_pragma", "journal_size_limit("+strconv.Itoa(journalSizeLimit)+")")
		// CREATE INDEX sorts every row of the table (BuildIndexes, the end
		// of a rebuild): helper threads sort parts of it at once.
		q.Add("_pragma", "threads("+strconv.Itoa(sorterThreads)+")")
		// Commits never checkpoint; the checkpointer does (checkpoint.go).
		q.Add("_pragma", "wal_autocheckpoint(0)")
	}
	return "file:" + (&url.URL{Path: cfg.Path}).EscapedPath() + "?" + q.Encode()
}
