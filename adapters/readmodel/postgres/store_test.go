package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// TestDigestEqualsSQLite: the two adapters hash the same bytes, so one read
// model has one digest whichever database holds it, whatever the values
// (NULLs, empty and NULL lists, invalid UTF-8 and NUL bytes, extreme times).
func TestDigestEqualsSQLite(t *testing.T) {
	pg := open(t, testConfig(t), widgets, projections.MessagesTable)
	lite, err := sqlite.Open(ctx(t), sqlite.Config{Path: filepath.Join(t.TempDir(), "rm.db")},
		[]*projections.Table{projections.MessagesTable, widgets}, testLog(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = lite.Close() })

	rows := []query.Row{
		widget("a"),
		{projections.NamespaceField: "ns", "name": "b\xff\x00", "note": "nul\x00 and \xfe", "tags": []string{}},
		{projections.NamespaceField: "ns", "name": "c", "tags": nil, "ok": false, "size": int64(-1 << 63),
			"at": time.Unix(0, -1<<63), "ref": [16]byte{0xff}, "sum": [32]byte{31: 7}, "kind": "b"},
		{projections.NamespaceField: "other", "name": "a", "tags": []string{"", "é", "\xff"}},
	}
	msg := query.Row{projections.NamespaceField: "ns", "id": [16]byte{1}, "type": "broadcast", "topics": []string{"t"},
		"created": time.Date(2024, 5, 1, 0, 0, 0, 1, time.UTC), "state": projections.StatePending, "sequence": int64(3)}
	for _, s := range []projections.Store{pg, lite} {
		commitRows(t, s, widgets, rows...)
		tx, err := s.Begin(ctx(t))
		require.NoError(t, err)
		require.NoError(t, tx.Put(projections.MessagesTable, msg, json.RawMessage(`{ "spaced" : true }`)))
		require.NoError(t, tx.SetCheckpoint("messages.v2", 42))
		require.NoError(t, tx.SetCheckpoint("B", 1))
		require.NoError(t, tx.SetCheckpoint("a", 2))
		require.NoError(t, tx.Commit())
	}
	want, err := lite.Digest(ctx(t))
	require.NoError(t, err)
	got, err := pg.Digest(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestDeferredIndexes(t *testing.T) {
	cfg := testConfig(t)
	cfg.DeferIndexes = true
	s := open(t, cfg, widgets)
	countIndexes := func() int {
		var n int
		require.NoError(t, s.pool.QueryRow(ctx(t), `SELECT count(*) FROM pg_indexes WHERE schemaname = $1 AND tablename = 'widgets'`,
			cfg.Schema).Scan(&n))
		return n
	}
	assert.Equal(t, 1, countIndexes(), "the primary key only")
	commitRows(t, s, widgets, widget("a"), widget("b"))
	assert.Equal(t, []string{`{"name":"b"}`}, findNames(t, s, widgets, "sort=-name&limit=1"), "queries work unindexed")
	require.NoError(t, s.BuildIndexes(ctx(t)))
	assert.Equal(t, 8, countIndexes())
	require.NoError(t, s.BuildIndexes(ctx(t)), "a second build does nothing")
	require.NoError(t, s.Close())

	// A store opened without DeferIndexes builds what an interrupted bulk
	// load left unbuilt.
	cfg2 := testConfig(t)
	cfg2.DeferIndexes = true
	require.NoError(t, open(t, cfg2, widgets).Close())
	cfg2.DeferIndexes = false
	s2 := open(t, cfg2, widgets)
	var n int
	require.NoError(t, s2.pool.QueryRow(ctx(t), `SELECT count(*) FROM pg_indexes WHERE schemaname = $1`, cfg2.Schema).Scan(&n))
	assert.Equal(t, 8+3, n, "widgets' and the adapter's own tables' (schema_migrations, schema_tables, checkpoints)")
}

// TestSortsUseTheIndexes: a page sorted by a sortable field, in either
// direction, filtered by the namespace, is an index scan with no sort.
func TestSortsUseTheIndexes(t *testing.T) {
	s := open(t, testConfig(t), projections.MessagesTable)
	tb := s.byDecl[projections.MessagesTable]
	for _, params := range []string{"sort=-created", "sort=created", "sort=author&author=^did", "state=confirmed&sort=-created"} {
		q, err := query.Parse(projections.MessagesTable.Collection(), mustValues(t, params))
		require.NoError(t, err)
		sel, err := tb.compile("ns", q)
		require.NoError(t, err)
		var plan []string
		err = func() error {
			tx, err := s.pool.Begin(ctx(t))
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback(context.Background()) }()
			// An empty table would be scanned sequentially whatever the
			// indexes; tell the planner to prefer them.
			if _, err := tx.Exec(ctx(t), "SET LOCAL enable_seqscan = off"); err != nil {
				return err
			}
			rows, err := tx.Query(ctx(t), "EXPLAIN "+sel.pageSQL, sel.pageArgs...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var line string
				if err := rows.Scan(&line); err != nil {
					return err
				}
				plan = append(plan, line)
			}
			return rows.Err()
		}()
		require.NoError(t, err)
		text := strings.Join(plan, "\n")
		assert.NotContains(t, text, "Sort", "%s:\n%s", params, text)
		assert.Contains(t, text, "Index Scan", "%s:\n%s", params, text)
	}
}

func TestContextEndsTheTransaction(t *testing.T) {
	s := open(t, testConfig(t), widgets)
	c, cancel := context.WithCancel(ctx(t))
	tx, err := s.Begin(c)
	require.NoError(t, err)
	require.NoError(t, tx.Put(widgets, widget("a"), []byte(`1`)))
	cancel()
	assert.ErrorIs(t, tx.Put(widgets, widget("b"), []byte(`1`)), context.Canceled)
	assert.ErrorIs(t, tx.Commit(), context.Canceled)
	assert.Empty(t, findNames(t, s, widgets, ""), "Commit rolled back")
	commitRows(t, s, widgets, widget("c")) // the writer is free
}

// TestLargeFlushesReplaceRows: a transaction with more rows of a table
// than copyRows writes them through the stage; rows already stored are
// replaced, columns and document, and NULLs and lists survive the copy.
func TestLargeFlushesReplaceRows(t *testing.T) {
	s := open(t, testConfig(t), widgets)
	put := func(version int, n int) {
		tx, err := s.Begin(ctx(t))
		require.NoError(t, err)
		for i := range n {
			row := widget(fmt.Sprintf("w%04d", i))
			row["size"] = int64(version)
			if i%2 == 0 {
				row["note"], row["tags"] = nil, []string{}
			}
			require.NoError(t, tx.Put(widgets, row, []byte(fmt.Sprintf(`{"v":%d}`, version))))
		}
		require.NoError(t, tx.Commit())
	}
	put(1, 2*copyRows)
	put(2, 2*copyRows+10)
	q, err := query.Parse(widgets.Collection(), mustValues(t, "size=2&count=true&limit=1"))
	require.NoError(t, err)
	docs, total, err := s.Find(ctx(t), widgets, "ns", q)
	require.NoError(t, err)
	assert.Equal(t, 2*copyRows+10, total, "every row replaced or added")
	assert.Equal(t, []string{`{"v":2}`}, toStrings(docs))
	assert.Len(t, findNames(t, s, widgets, "tags=x&limit=1000"), copyRows+5, "the odd rows' lists")
	assert.Len(t, findNames(t, s, widgets, "tags=!x&limit=1000"), copyRows+5, "the even rows' empty lists")
}

func toStrings(docs []json.RawMessage) []string {
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = string(d)
	}
	return out
}

// TestAFlushEmptiesTheTransaction: once flushRows rows of one table are
// waiting they are written (through the stage) and no longer held, so a
// long transaction writes each row once.
func TestAFlushEmptiesTheTransaction(t *testing.T) {
	s := open(t, testConfig(t), widgets)
	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	for i := range flushRows {
		require.NoError(t, tx.Put(widgets, widget(fmt.Sprintf("w%05d", i)), []byte(`{}`)))
	}
	x, _ := tx.(*txn)
	require.NotNil(t, x)
	assert.Empty(t, x.rows, "written at the flush")
	assert.Empty(t, x.pending)
	require.NoError(t, tx.Commit())
	_, total, err := s.Find(ctx(t), widgets, "ns", query.Query{Count: true, Limit: 1})
	require.NoError(t, err)
	assert.Equal(t, flushRows, total)
}
