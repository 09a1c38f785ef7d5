package postgres

import (
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
    "namespace" bytea NOT NULL,
    "name" bytea NOT NULL,
    "size" bigint,
    "at" bigint,
    "ref" uuid,
    "sum" bytea,
    "ok" boolean,
    "kind" text COLLATE "C",
    "tags" bytea[],
    "note" bytea,
    "doc" json NOT NULL,
    PRIMARY KEY ("namespace", "name")
)`,
		`CREATE INDEX "widgets_by_size" ON "widgets" ("namespace", "size" NULLS FIRST, "name")`,
		`CREATE INDEX "widgets_by_at" ON "widgets" ("namespace", "at" NULLS FIRST, "name")`,
		`CREATE INDEX "widgets_by_ref" ON "widgets" ("namespace", "ref" NULLS FIRST, "name")`,
		`CREATE INDEX "widgets_by_sum" ON "widgets" ("namespace", "sum" NULLS FIRST, "name")`,
		`CREATE INDEX "widgets_by_ok" ON "widgets" ("namespace", "ok" NULLS FIRST, "name")`,
		`CREATE INDEX "widgets_by_kind" ON "widgets" ("namespace", "kind" NULLS FIRST, "name")`,
		`CREATE INDEX "widgets_by_tags" ON "widgets" USING gin ("tags")`,
	}, tb.ddl, "one B-tree index per sortable field but the key (the primary key serves it), a GIN index per list")

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
// and compares the columns and indexes Postgres reports with the
// declarations.
func TestEveryProjectionTableIsCreated(t *testing.T) {
	tables := append(projections.Tables(), widgets)
	cfg := testConfig(t)
	s := open(t, cfg, tables...)
	for _, d := range tables {
		var cols []string
		rows, err := s.pool.Query(ctx(t), `SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
			coalesce(array_position(i.indkey::int2[], a.attnum) - array_lower(i.indkey::int2[], 1) + 1, 0)
			FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
			LEFT JOIN pg_index i ON i.indrelid = c.oid AND i.indisprimary
			WHERE n.nspname = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, cfg.Schema, d.Name())
		require.NoError(t, err)
		for rows.Next() {
			var name, typ string
			var notNull bool
			var pk int
			require.NoError(t, rows.Scan(&name, &typ, &notNull, &pk))
			cols = append(cols, strings.Join([]string{name, typ, map[bool]string{true: "NOT NULL"}[notNull], map[int]string{1: "pk1", 2: "pk2"}[pk]}, " "))
		}
		require.NoError(t, rows.Err())
		var want []string
		indexes := 0
		for i, f := range d.Fields() {
			notNull, pk := "", ""
			switch {
			case i == 0:
				notNull, pk = "NOT NULL", "pk1"
			case f.Name == d.Key():
				notNull, pk = "NOT NULL", "pk2"
			case f.Sortable || f.Type == query.StringList:
				indexes++
			}
			want = append(want, strings.Join([]string{f.Name, strings.TrimSuffix(sqlType(f.Type), ` COLLATE "C"`), notNull, pk}, " "))
		}
		want = append(want, "doc json NOT NULL ")
		assert.Equal(t, want, cols, d.Name())
		var n int
		require.NoError(t, s.pool.QueryRow(ctx(t), `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND tablename = $2`,
			cfg.Schema, d.Name()).Scan(&n))
		assert.Equal(t, indexes+1, n, "%s: indexes (and the primary key)", d.Name())
	}
}

func TestReopen(t *testing.T) {
	cfg := testConfig(t)
	s, err := Open(ctx(t), cfg, []*projections.Table{widgets}, testLog(t))
	require.NoError(t, err)
	commitRows(t, s, widgets, widget("a"))
	require.NoError(t, s.Close())

	s = open(t, cfg, widgets, projections.MessagesTable)
	assert.Equal(t, []string{`{"name":"a"}`}, findNames(t, s, widgets, ""), "rows survive, and a new table is added")
	require.NoError(t, s.Close())

	grown := projections.NewTable("widgets", "name", append(widgets.Fields()[1:], query.Field{Name: "colour", Type: query.String}), nil)
	_, err = Open(ctx(t), cfg, []*projections.Table{grown}, testLog(t))
	require.ErrorIs(t, err, ErrSchemaChanged)
	assert.ErrorContains(t, err, `table "widgets"`)
	assert.ErrorContains(t, err, "rebuild")

	s = open(t, cfg, widgets)
	assert.Len(t, findNames(t, s, widgets, ""), 1, "a refused Open changes nothing")
}

func TestRefusedDeclarations(t *testing.T) {
	id := query.Field{Name: "id", Type: query.String, Sortable: true}
	for name, tables := range map[string][]*projections.Table{
		"a reserved name":            {projections.NewTable("checkpoints", "id", []query.Field{id}, nil)},
		"Postgres' prefix":           {projections.NewTable("pg_x", "id", []query.Field{id}, nil)},
		"a field named doc":          {projections.NewTable("t", "id", []query.Field{id, {Name: "doc", Type: query.String}}, nil)},
		"tables that differ in case": {widgets, projections.NewTable("Widgets", "id", []query.Field{id}, nil)},
		"a name too long":            {projections.NewTable(strings.Repeat("t", 50), "id", []query.Field{id, {Name: "sortable_field", Type: query.Int, Sortable: true}}, nil)},
		"an enum value with NUL":     {projections.NewTable("t", "id", []query.Field{id, {Name: "e", Type: query.Enum, Enum: []string{"a\x00"}}}, nil)},
	} {
		_, err := Open(ctx(t), Config{URL: "postgres://nobody@127.0.0.1:1/none", Schema: "x"}, tables, testLog(t))
		assert.Error(t, err, name)
		assert.NotContains(t, err.Error(), "connect", "%s: refused before connecting", name)
	}
}

func TestAnObjectThisAdapterDidNotCreate(t *testing.T) {
	cfg := testConfig(t)
	s := open(t, cfg, projections.MessagesTable)
	_, err := s.pool.Exec(ctx(t), `CREATE TABLE "widgets" (x int)`)
	require.NoError(t, err)
	_, err = Open(ctx(t), cfg, []*projections.Table{widgets}, testLog(t))
	require.ErrorIs(t, err, ErrSchemaChanged)
}
