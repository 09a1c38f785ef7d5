package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// counters has an Int key, the other kind of key a rowID holds.
var counters = projections.NewTable("counters", "n", []query.Field{
	{Name: "n", Type: query.Int, Sortable: true},
	{Name: "label", Type: query.String, Sortable: true},
	{Name: "at", Type: query.Time, Sortable: true},
}, []query.SortKey{{Field: "n"}})

// fullWidget has a value in every field, so that each type's stored
// encoding is read back and compared.
func fullWidget(name string) query.Row {
	r := widget(name)
	r["ref"] = [16]byte{1, 2, 3}
	r["sum"] = [32]byte{4, 5, 6}
	r["note"] = "n\xff" // not UTF-8: stored and compared byte for byte
	r["tags"] = []string{"x", "y\x00z"}
	return r
}

func TestRewriteWritesOnlyWhatChanged(t *testing.T) {
	s := open(t, testPath(t), widgets)
	commitRows(t, s, widgets, fullWidget("a"), fullWidget("b"), fullWidget("c"))
	before, err := s.Digest(ctx(t))
	require.NoError(t, err)

	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	for _, name := range []string{"a", "b"} {
		_, found, err := tx.Get(widgets, "ns", name)
		require.NoError(t, err)
		require.True(t, found)
	}
	changedB := fullWidget("b")
	changedB["size"] = int64(2)
	changedB["ref"] = nil
	require.NoError(t, tx.Put(widgets, fullWidget("a"), []byte(`{"name":"a"}`)))
	require.NoError(t, tx.Put(widgets, changedB, []byte(`{"name":"b"}`)))
	require.NoError(t, tx.Put(widgets, fullWidget("c"), []byte(`{"name":"c"}`)))
	w0 := s.writes
	require.NoError(t, tx.Commit())

	assert.Equal(t, writeCounts{unchanged: 1, updated: 1, replaced: 1}, sub(s.writes, w0),
		"a: read and put as it was, no write; b: two columns updated; c: not read, replaced")
	assert.Equal(t, []string{`{"name":"b"}`}, findNames(t, s, widgets, "size=2"))
	assert.Empty(t, findNames(t, s, widgets, "size=2&ref=00000000-0000-0000-0000-000000000000"))

	tx, err = s.Begin(ctx(t))
	require.NoError(t, err)
	_, _, err = tx.Get(widgets, "ns", "b")
	require.NoError(t, err)
	require.NoError(t, tx.Put(widgets, fullWidget("b"), []byte(`{"name":"b"}`)))
	require.NoError(t, tx.Commit())
	after, err := s.Digest(ctx(t))
	require.NoError(t, err)
	assert.Equal(t, before, after, "b is back as it was, NULL to value included")
}

func TestRewriteOfARowGoneSinceTheGetInsertsIt(t *testing.T) {
	s := open(t, testPath(t), widgets)
	commitRows(t, s, widgets, fullWidget("a"))
	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	_, found, err := tx.Get(widgets, "ns", "a")
	require.NoError(t, err)
	require.True(t, found)
	// No adapter path deletes a row; this stands for one that would.
	_, err = s.w.conn.ExecContext(ctx(t), `DELETE FROM widgets`)
	require.NoError(t, err)
	row := fullWidget("a")
	row["size"] = int64(9)
	require.NoError(t, tx.Put(widgets, row, []byte(`{"name":"a"}`)))
	w0 := s.writes
	require.NoError(t, tx.Commit())
	assert.Equal(t, writeCounts{replaced: 1}, sub(s.writes, w0), "the UPDATE found nothing, so the row was inserted")
	assert.Equal(t, []string{`{"name":"a"}`}, findNames(t, s, widgets, "size=9"))
}

func sub(a, b writeCounts) writeCounts {
	return writeCounts{replaced: a.replaced - b.replaced, updated: a.updated - b.updated, unchanged: a.unchanged - b.unchanged}
}

// TestUpdateInPlaceMatchesReplace applies the same random transactions to
// a store that updates rows in place and to one that replaces every row
// (replaceRows), and requires the same contents: every row and the digest.
// The transactions read and put rows in random mixes: rows put twice, rows
// read and not put, rows put unread, rows put as they were, fields going
// between NULL and a value, rollbacks, and transactions long enough to
// flush in the middle and to forget remembered rows.
func TestUpdateInPlaceMatchesReplace(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	inPlace := open(t, testPath(t), widgets, counters)
	replace := open(t, testPath(t), widgets, counters)
	replace.replaceRows = true
	stores := []*Store{inPlace, replace}

	committed := map[modelKey]modelRow{}
	for round := range 60 {
		model := maps.Clone(committed)
		txs := make([]projections.Tx, len(stores))
		for i, s := range stores {
			var err error
			txs[i], err = s.Begin(ctx(t))
			require.NoError(t, err)
		}
		ops := 1 + rng.Intn(80)
		if round%20 == 7 {
			ops = flushRows + 500 // flushes mid-transaction, forgets remembered rows
		}
		for range ops {
			k := randomKey(rng, round%20 == 7)
			if rng.Intn(4) != 0 {
				cur, found := model[k]
				for i, x := range txs {
					doc, ok, err := x.Get(k.table, "ns", k.key)
					require.NoError(t, err)
					require.Equal(t, found, ok, "store %d, %v", i, k)
					if found {
						require.Equal(t, string(cur.doc), string(doc), "store %d, %v", i, k)
					}
				}
				if rng.Intn(5) == 0 {
					continue // read, not put
				}
			}
			next := randomRow(rng, k, model[k])
			for _, x := range txs {
				require.NoError(t, x.Put(k.table, maps.Clone(next.row), next.doc))
			}
			model[k] = next
		}
		if rng.Intn(5) == 0 {
			for _, x := range txs {
				require.NoError(t, x.Rollback())
			}
		} else {
			for _, x := range txs {
				require.NoError(t, x.Commit())
			}
			committed = model
		}
		if round%10 == 9 {
			requireSameContents(t, inPlace, replace)
		}
	}
	requireSameContents(t, inPlace, replace)
	assert.Positive(t, inPlace.writes.updated)
	assert.Positive(t, inPlace.writes.unchanged)
	assert.Zero(t, replace.writes.updated+replace.writes.unchanged, "the reference replaces every row")
	t.Logf("in place: %+v; replacing: %+v", inPlace.writes, replace.writes)
}

type modelKey struct {
	table *projections.Table
	key   any
}

type modelRow struct {
	row query.Row
	doc json.RawMessage
}

func randomKey(rng *rand.Rand, many bool) modelKey {
	if many {
		return modelKey{counters, int64(rng.Intn(2 * flushRows))}
	}
	if rng.Intn(2) == 0 {
		return modelKey{counters, int64(rng.Intn(30) - 10)}
	}
	return modelKey{widgets, "w" + strconv.Itoa(rng.Intn(30))}
}

// randomRow is prev with some fields changed (all, when there is no prev);
// a changed field is NULL a quarter of the time.
func randomRow(rng *rand.Rand, k modelKey, prev modelRow) modelRow {
	row := query.Row{projections.NamespaceField: "ns"}
	maps.Copy(row, prev.row)
	pick := func(v any) any {
		if rng.Intn(4) == 0 {
			return nil
		}
		return v
	}
	fields := map[string]func() any{
		"at": func() any { return pick(time.Unix(0, rng.Int63n(5)*int64(time.Hour))) },
	}
	if k.table == counters {
		row["n"] = k.key
		fields["label"] = func() any { return pick([]string{"", "x", "y"}[rng.Intn(3)]) }
	} else {
		row["name"] = k.key
		fields["size"] = func() any { return pick(int64(rng.Intn(3))) }
		fields["ref"] = func() any { return pick([16]byte{byte(rng.Intn(3))}) }
		fields["sum"] = func() any { return pick([32]byte{byte(rng.Intn(3))}) }
		fields["ok"] = func() any { return pick(rng.Intn(2) == 0) }
		fields["kind"] = func() any { return pick([]string{"a", "b"}[rng.Intn(2)]) }
		fields["tags"] = func() any { return pick([][]string{{}, {"x"}, {"x", "\xff"}}[rng.Intn(3)]) }
		fields["note"] = func() any { return pick([]string{"", "n", "n\xff"}[rng.Intn(3)]) }
	}
	for name, gen := range fields {
		if prev.row == nil || rng.Intn(3) == 0 {
			if v := gen(); v != nil {
				row[name] = v
			} else {
				delete(row, name)
			}
		}
	}
	doc := prev.doc
	if doc == nil || rng.Intn(2) == 0 {
		doc = json.RawMessage(fmt.Sprintf(`{"v":%d}`, rng.Intn(3)))
	}
	return modelRow{row: row, doc: doc}
}

// requireSameContents compares every stored row of every table, then the
// digests.
func requireSameContents(t *testing.T, a, b *Store) {
	t.Helper()
	for i, ta := range a.tables {
		require.Equal(t, storedRows(t, a, ta), storedRows(t, b, b.tables[i]), "table %s", ta.name)
	}
	da, err := a.Digest(ctx(t))
	require.NoError(t, err)
	db, err := b.Digest(ctx(t))
	require.NoError(t, err)
	require.Equal(t, da, db)
}

func storedRows(t *testing.T, s *Store, tb *table) [][]any {
	t.Helper()
	rows, err := s.rdb.QueryContext(context.Background(), tb.scanSQL)
	require.NoError(t, err)
	defer func() { _ = rows.Close() }()
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(tb.cols)+1)
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		out = append(out, vals)
	}
	require.NoError(t, rows.Err())
	return out
}
