package postgres

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// ErrSchemaChanged is returned (wrapped) by Open when the schema holds a
// table created from another declaration than the one given: the read model
// must be rebuilt into a new schema.
var ErrSchemaChanged = errors.New("read-model table declaration changed")

// docColumn holds each row's document.
const docColumn = "doc"

// ddlVersion is hashed with every table's DDL: a change in how this adapter
// stores values (not visible in the DDL) bumps it, and makes old schemas
// refuse to open rather than be misread.
const ddlVersion = "ledgermirror readmodel/postgres ddl v1"

// maxIdentifier is Postgres' identifier length (NAMEDATALEN-1); longer names
// are truncated silently, so two index names could collide.
const maxIdentifier = 63

// reservedTables are this adapter's own tables.
var reservedTables = []string{"schema_migrations", "schema_tables", "checkpoints"}

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
	key    int      // index of the key column
	ddl    []string // the table, then its secondary indexes
	hash   string

	upsertSQL string // every column and doc, replacing a row with the same key
	// A large flush copies its rows into stage (a temporary table like this
	// one) and merges them with mergeSQL (copy.go).
	stage       string
	columnNames []string // every column and doc, for COPY
	stageSQL    string   // creates stage if this connection lacks it
	mergeSQL    string   // stage into the table, replacing rows with the same key
	getSQL      string   // doc by namespace and key
	scanSQL     string   // every column and doc, in (namespace, key) order
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// newTable generates the schema of one declared table.
func newTable(decl *projections.Table) (*table, error) {
	name := decl.Name()
	if strings.HasPrefix(strings.ToLower(name), "pg_") || containsFold(reservedTables, name) {
		return nil, fmt.Errorf("table %q: the name is reserved", name)
	}
	t := &table{decl: decl, name: name, ident: quoteIdent(name), byName: map[string]int{}}
	seen := map[string]bool{docColumn: true}
	for i, f := range decl.Fields() {
		if seen[f.Name] {
			return nil, fmt.Errorf("table %q: field %q clashes with another column (%q is the document)", name, f.Name, docColumn)
		}
		seen[f.Name] = true
		if f.Type == query.Enum {
			for _, e := range f.Enum {
				// Enum values are text columns, which hold UTF-8 without NUL.
				if !utf8.ValidString(e) || strings.ContainsRune(e, 0) {
					return nil, fmt.Errorf("table %q: enum field %q: value %q is not UTF-8 text", name, f.Name, e)
				}
			}
		}
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
	var err error
	if t.ddl, err = t.generateDDL(); err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(ddlVersion + "\n" + strings.Join(t.ddl, ";\n")))
	t.hash = hex.EncodeToString(sum[:])

	idents := make([]string, len(t.cols))
	marks := make([]string, len(t.cols)+1)
	var updates []string
	for i, c := range t.cols {
		idents[i], marks[i] = c.ident, fmt.Sprintf("$%d", i+1)
		if i != 0 && i != t.key {
			updates = append(updates, c.ident+" = excluded."+c.ident)
		}
	}
	marks[len(t.cols)] = fmt.Sprintf("$%d", len(t.cols)+1)
	doc := quoteIdent(docColumn)
	updates = append(updates, doc+" = excluded."+doc)
	all := strings.Join(idents, ", ") + ", " + doc
	pk := t.cols[0].ident + ", " + t.cols[t.key].ident
	t.upsertSQL = "INSERT INTO " + t.ident + " (" + all + ") VALUES (" + strings.Join(marks, ", ") + ") ON CONFLICT (" + pk +
		") DO UPDATE SET " + strings.Join(updates, ", ")
	t.stage = "lm_stage_" + name
	if len(t.stage) > maxIdentifier {
		return nil, fmt.Errorf("table %q: the name is too long for Postgres", name)
	}
	for _, c := range t.cols {
		t.columnNames = append(t.columnNames, c.name)
	}
	t.columnNames = append(t.columnNames, docColumn)
	stage := "pg_temp." + quoteIdent(t.stage)
	t.stageSQL = "CREATE TEMPORARY TABLE IF NOT EXISTS " + stage + " (LIKE " + t.ident + ") ON COMMIT DELETE ROWS"
	t.mergeSQL = "INSERT INTO " + t.ident + " (" + all + ") SELECT " + all + " FROM " + stage + " ON CONFLICT (" + pk +
		") DO UPDATE SET " + strings.Join(updates, ", ")
	t.getSQL = "SELECT " + doc + " FROM " + t.ident + " WHERE " + t.cols[0].ident + " = $1 AND " + t.cols[t.key].ident + " = $2"
	t.scanSQL = "SELECT " + all + " FROM " + t.ident + " ORDER BY " + pk
	return t, nil
}

// generateDDL writes the table and its indexes. The output depends on the
// declaration only (names, types, order, sortability, key), so its hash
// identifies the declaration.
//
// The primary key is (namespace, key). Each sortable field other than the
// key gets a B-tree index on (namespace, field NULLS FIRST, key): every
// query filters on the namespace, and the index serves a filter on the
// field (equality, range, prefix) and a sort by it in either direction
// (ascending NULLS FIRST forwards, descending NULLS LAST backwards: the
// reference's NULL order), with the key as the tie-breaker every sort ends
// with. A string list gets a GIN index, which serves its equality and
// in-list filters (&&).
func (t *table) generateDDL() ([]string, error) {
	var b strings.Builder
	b.WriteString("CREATE TABLE " + t.ident + " (\n")
	for i, c := range t.cols {
		b.WriteString("    " + c.ident + " " + sqlType(c.typ))
		if i == 0 || i == t.key {
			b.WriteString(" NOT NULL")
		}
		b.WriteString(",\n")
	}
	b.WriteString("    " + quoteIdent(docColumn) + " json NOT NULL,\n")
	b.WriteString("    PRIMARY KEY (" + t.cols[0].ident + ", " + t.cols[t.key].ident + ")\n)")
	ddl := []string{b.String()}
	if len(t.name+"_pkey") > maxIdentifier {
		return nil, fmt.Errorf("table %q: the name is too long for Postgres", t.name)
	}
	for i, c := range t.cols {
		if i == 0 || i == t.key || (!c.sortable && c.typ != query.StringList) {
			continue
		}
		idx := t.name + "_by_" + c.name
		if len(idx) > maxIdentifier {
			return nil, fmt.Errorf("table %q: index name %q is longer than Postgres' %d bytes", t.name, idx, maxIdentifier)
		}
		if c.typ == query.StringList {
			ddl = append(ddl, "CREATE INDEX "+quoteIdent(idx)+" ON "+t.ident+" USING gin ("+c.ident+")")
			continue
		}
		ddl = append(ddl, "CREATE INDEX "+quoteIdent(idx)+" ON "+t.ident+
			" ("+t.cols[0].ident+", "+c.ident+" NULLS FIRST, "+t.cols[t.key].ident+")")
	}
	return ddl, nil
}

func containsFold(list []string, s string) bool {
	for _, e := range list {
		if strings.EqualFold(e, s) {
			return true
		}
	}
	return false
}
