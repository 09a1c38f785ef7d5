package postgres

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// widgets has a field of every type.
var widgets = projections.NewTable("widgets", "name", []query.Field{
	{Name: "name", Type: query.String, Sortable: true},
	{Name: "size", Type: query.Int, Sortable: true},
	{Name: "at", Type: query.Time, Sortable: true},
	{Name: "ref", Type: query.UUID, Sortable: true},
	{Name: "sum", Type: query.Hash, Sortable: true},
	{Name: "ok", Type: query.Bool, Sortable: true},
	{Name: "kind", Type: query.Enum, Enum: []string{"a", "b"}, Sortable: true},
	{Name: "tags", Type: query.StringList},
	{Name: "note", Type: query.String},
}, []query.SortKey{{Field: "at", Desc: true}})

func testLog(t *testing.T) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel)
}

func testLogB(b *testing.B) zerolog.Logger {
	return zerolog.New(zerolog.NewTestWriter(b)).Level(zerolog.WarnLevel)
}

// testConfig names a schema of the test's own on the test server.
func testConfig(t *testing.T) Config {
	url, schema := pgtest.Schema(t)
	return Config{URL: url, Schema: schema}
}

// open opens a store on cfg for tables, closed when the test ends.
func open(t *testing.T, cfg Config, tables ...*projections.Table) *Store {
	t.Helper()
	s, err := Open(context.Background(), cfg, tables, testLog(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return c
}

func widget(name string) query.Row {
	return query.Row{projections.NamespaceField: "ns", "name": name, "size": int64(1),
		"at": time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), "ok": true, "kind": "a", "tags": []string{"x"}}
}

func commitRows(t *testing.T, s projections.Store, tb *projections.Table, rows ...query.Row) {
	t.Helper()
	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	for _, r := range rows {
		doc, err := json.Marshal(map[string]any{"name": r["name"]})
		require.NoError(t, err)
		require.NoError(t, tx.Put(tb, r, doc))
	}
	require.NoError(t, tx.Commit())
}

func findNames(t *testing.T, s *Store, tb *projections.Table, params string) []string {
	t.Helper()
	v, err := url.ParseQuery(params)
	require.NoError(t, err)
	q, err := query.Parse(tb.Collection(), v)
	require.NoError(t, err)
	docs, _, err := s.Find(ctx(t), tb, "ns", q)
	require.NoError(t, err)
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = string(d)
	}
	return out
}
