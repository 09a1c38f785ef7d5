package sqlite

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

func TestDDLIsGeneratedFromTheDeclaration(t *testing.T) {
	tb, err := newTable(widgets)
	require.NoError(t, err)
	assert.Equal(t, []string{
		`CREATE TABLE "widgets" (
    "namespace" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "size" INTEGER,
    "at" INTEGER,
    "ref" TEXT,
    "sum" TEXT,
    "ok" INTEGER,
    "kind" TEXT,
    "tags" TEXT,
    "note" TEXT,
    "doc" TEXT NOT NULL,
    PRIMARY KEY ("namespace", "name")
) STRICT`,
		`CREATE INDEX "widgets_by_size" ON "widgets" ("namespace", "size", "name")`,
		`CREATE INDEX "widgets_by_at" ON "widgets" ("namespace", "at", "name")`,
		`CREATE INDEX "widgets_by_ref" ON "widgets" ("namespace", "ref", "name")`,
		`CREATE INDEX "widgets_by_sum" ON "widgets" ("namespace", "sum", "name")`,
		`CREATE INDEX "widgets_by_ok" ON "widgets" ("namespace", "ok", "name")`,
		`CREATE INDEX "widgets_by_kind" ON "widgets" ("namespace", "kind", "name")`,
	}, tb.ddl, "one index per sortable field but the key (the primary key serves it), none for lists")

	again, err := newTable(widgets)
	require.NoError(t, err)
	assert.Equal(t, tb.hash, again.hash, "the hash is a function of the declaration")
	changed, err := newTable(projections.NewTable("widgets", "name", []query.Field{
		{Name: "name", Type: query.String, Sortable: true},
		{Name: "size", Type: query.Int}, // no longer sortable: no index
	}, nil))
	require.NoError(t, err)
	assert.NotEqual(t, tb.hash, changed.hash)
}

// TestEveryProjectionTableIsCreated opens the read model of every projector
// and compares the columns and indexes SQLite reports with the declarations.
func TestEveryProjectionTableIsCreated(t *testing.T) {
	tables := append(projections.Tables(), widgets)
	s := open(t, testPath(t), tables...)
	for _, d := range tables {
		var cols []string
		rows, err := s.rdb.QueryContext(ctx(t), "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)", d.Name())
		require.NoError(t, err)
		for rows.Next() {
			var name, typ string
			var notNull, pk int
			require.NoError(t, rows.Scan(&name, &typ, &notNull, &pk))
			cols = append(cols, strings.Join([]string{name, typ, map[int]string{0: "", 1: "NOT NULL"}[notNull], map[int]string{0: "", 1: "pk1", 2: "pk2"}[pk]}, " "))
		}
		require.NoError(t, rows.Err())
		_ = rows.Close()
		var want []string
		indexes := 0
		for i, f := range d.Fields() {
			notNull, pk := "", ""
			switch {
			case i == 0:
				notNull, pk = "NOT NULL", "pk1"
			case f.Name == d.Key():
				notNull, pk = "NOT NULL", "pk2"
			case f.Sortable:
				indexes++
			}
			want = append(want, strings.Join([]string{f.Name, sqlType(f.Type), notNull, pk}, " "))
		}
		want = append(want, "doc TEXT NOT NULL ")
		assert.Equal(t, want, cols, d.Name())
		var n int
		require.NoError(t, s.rdb.QueryRowContext(ctx(t),
			"SELECT count(*) FROM pragma_index_list(?) WHERE origin = 'c'", d.Name()).Scan(&n))
		assert.Equal(t, indexes, n, "%s: indexes", d.Name())
	}
}

func TestReopen(t *testing.T) {
	path := testPath(t)
	s, err := Open(ctx(t), Config{Path: path}, []*projections.Table{widgets}, testLog(t))
	require.NoError(t, err)
	commitRows(t, s, widgets, widget("a"))
	require.NoError(t, s.Close())

	s = open(t, path, widgets, projections.MessagesTable)
	assert.Equal(t, []string{`{"name":"a"}`}, findNames(t, s, widgets, ""), "rows survive, and a new table is added")
	require.NoError(t, s.Close())

	grown := projections.NewTable("widgets", "name", append(widgets.Fields()[1:], query.Field{Name: "colour", Type: query.String}), nil)
	_, err = Open(ctx(t), Config{Path: path}, []*projections.Table{grown}, testLog(t))
	require.ErrorIs(t, err, ErrSchemaChanged)
	require.ErrorIs(t, err, ErrDeclarationChanged, "a table this adapter created, declared otherwise")
	assert.ErrorContains(t, err, `table "widgets"`)
	assert.ErrorContains(t, err, "rebuild")

	s = open(t, path, widgets)
	assert.Len(t, findNames(t, s, widgets, ""), 1, "a refused Open changes nothing")
}

func TestRefusedDeclarations(t *testing.T) {
	for name, tables := range map[string][]*projections.Table{
		"a reserved name":            {projections.NewTable("checkpoints", "id", []query.Field{{Name: "id", Type: query.String, Sortable: true}}, nil)},
		"SQLite's prefix":            {projections.NewTable("SQLite_x", "id", []query.Field{{Name: "id", Type: query.String, Sortable: true}}, nil)},
		"a field named doc":          {projections.NewTable("t", "id", []query.Field{{Name: "id", Type: query.String, Sortable: true}, {Name: "Doc", Type: query.String}}, nil)},
		"fields that differ in case": {projections.NewTable("t", "id", []query.Field{{Name: "id", Type: query.String, Sortable: true}, {Name: "ID", Type: query.String}}, nil)},
		"tables that differ in case": {widgets, projections.NewTable("Widgets", "id", []query.Field{{Name: "id", Type: query.String, Sortable: true}}, nil)},
	} {
		_, err := Open(ctx(t), Config{Path: testPath(t)}, tables, testLog(t))
		assert.Error(t, err, name)
	}
}

func TestATableThisAdapterDidNotCreateIsRefused(t *testing.T) {
	path := testPath(t)
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec(`CREATE TABLE widgets (x TEXT)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = Open(ctx(t), Config{Path: path}, []*projections.Table{widgets}, testLog(t))
	assert.ErrorIs(t, err, ErrSchemaChanged)
	assert.NotErrorIs(t, err, ErrDeclarationChanged, "not a table of this adapter's: nothing says a rebuild may replace it")
}

func TestANewerSchemaIsRefused(t *testing.T) {
	path := testPath(t)
	s, err := Open(ctx(t), Config{Path: path}, nil, testLog(t))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO schema_version (version, name, applied) VALUES (99, 'future', 0)`)
	require.NoError(t, err)
	require.NoError(t, db.Close())
	_, err = Open(ctx(t), Config{Path: path}, nil, testLog(t))
	assert.ErrorContains(t, err, "newer")
}

func indexCount(t *testing.T, s *Store, table string) int {
	t.Helper()
	var n int
	require.NoError(t, s.rdb.QueryRowContext(ctx(t), "SELECT count(*) FROM pragma_index_list(?) WHERE origin = 'c'", table).Scan(&n))
	return n
}

func TestDeferredIndexes(t *testing.T) {
	path := testPath(t)
	s, err := Open(ctx(t), Config{Path: path, DeferIndexes: true}, []*projections.Table{widgets}, testLog(t))
	require.NoError(t, err)
	assert.Zero(t, indexCount(t, s, "widgets"))
	commitRows(t, s, widgets, widget("b"), widget("a"))
	assert.Equal(t, []string{`{"name":"a"}`, `{"name":"b"}`}, findNames(t, s, widgets, "sort=name"), "queries work meanwhile")
	require.NoError(t, s.BuildIndexes(ctx(t)))
	assert.Equal(t, 6, indexCount(t, s, "widgets"))
	require.NoError(t, s.BuildIndexes(ctx(t)), "building again does nothing")
	require.NoError(t, s.Close())

	// Deferred, then opened normally: Open builds them.
	path = testPath(t)
	s, err = Open(ctx(t), Config{Path: path, DeferIndexes: true}, []*projections.Table{widgets}, testLog(t))
	require.NoError(t, err)
	require.NoError(t, s.Close())
	s = open(t, path, widgets)
	assert.Equal(t, 6, indexCount(t, s, "widgets"))

	again, err := Open(context.Background(), Config{Path: path, DeferIndexes: true}, []*projections.Table{widgets}, testLog(t))
	require.NoError(t, err, "a deferred Open of an indexed file keeps its indexes")
	assert.Equal(t, 6, indexCount(t, again, "widgets"))
	require.NoError(t, again.Close())
}
