package sqlite

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// TestSortWalkAnswersAsTheOrdinaryQuery fills a table big enough for the
// statistics to send filtered, sorted pages through the walk, and checks
// every page against the ordinary query and the reference semantics: pages
// the walk finds whole, a rare value the walk gives up on, later pages,
// ties, NULLs in the sort column and a count.
func TestSortWalkAnswersAsTheOrdinaryQuery(t *testing.T) {
	s := open(t, testPath(t), widgets)
	rng := rand.New(rand.NewPCG(1, 2))
	var rows []query.Row
	const n = 6000
	for i := range n {
		r := query.Row{projections.NamespaceField: "ns", "name": fmt.Sprintf("w%05d", i),
			"size": int64(rng.IntN(50)), "kind": []string{"a", "b"}[rng.IntN(2)], "ok": i%1000 != 7,
			"ref": [16]byte{byte(rng.IntN(3))}}
		if i%10 != 0 {
			r["at"] = time.Date(2024, 1, 1, 0, 0, rng.IntN(3000), 0, time.UTC)
		}
		rows = append(rows, r)
	}
	commitRows(t, s, widgets, rows...)
	// What PRAGMA optimize does once the table has grown.
	_, err := s.w.conn.ExecContext(ctx(t), "ANALYZE")
	require.NoError(t, err)

	stats := s.stats.get(ctx(t), s.rdb)["widgets"]
	require.InDelta(t, n, stats.rows, 1)
	require.InDelta(t, n/2, stats.perValue["kind"], n/10, "%v", stats)

	for _, params := range []string{
		"kind=a&sort=-at",
		"kind=b&sort=at&skip=40&limit=30",
		"kind=a&ref=00000000-0000-0000-0000-000000000000&sort=-size",
		"ok=false&sort=-at", // 6 rows of 6000: the walk gives up
		"kind=b&sort=-at&skip=975",
		"kind=@a,b&sort=size&limit=100",
		"kind=a&sort=-at&count=true",
	} {
		q, qerr := query.Parse(widgets.Collection(), mustValues(t, params))
		require.NoError(t, qerr)
		page, total := q.Apply(rows)
		var want []string
		for _, r := range page {
			want = append(want, fmt.Sprintf(`{"name":%q}`, r["name"]))
		}
		docs, gotTotal, err := s.Find(ctx(t), widgets, "ns", q)
		require.NoError(t, err)
		got := make([]string, len(docs))
		for i, d := range docs {
			got[i] = string(d)
		}
		assert.Equal(t, want, got, params)
		if q.Count {
			assert.Equal(t, total, gotTotal, params)
		}
	}
	q, qerr := query.Parse(widgets.Collection(), mustValues(t, "kind=a&sort=-at"))
	require.NoError(t, qerr)
	tb := s.byDecl[widgets]
	window := tb.walkCap(q, stats)
	assert.Positive(t, window, "a common value is walked")
	sel, err := tb.compile("ns", q)
	require.NoError(t, err)
	walkSQL, walkArgs := sel.walk(window)
	walked, err := readDocs(ctx(t), s.rdb, walkSQL, walkArgs)
	require.NoError(t, err)
	ordinary, err := readDocs(ctx(t), s.rdb, sel.pageSQL, sel.pageArgs)
	require.NoError(t, err)
	assert.Len(t, walked, 25, "the walk found the page")
	assert.Equal(t, ordinary, walked)
	q, qerr = query.Parse(widgets.Collection(), mustValues(t, "name=w00001&sort=-at"))
	require.NoError(t, qerr)
	assert.Zero(t, tb.walkCap(q, stats), "a key lookup is not")
	q, qerr = query.Parse(widgets.Collection(), mustValues(t, "kind=a&sort=-at&skip=5000"))
	require.NoError(t, qerr)
	assert.Zero(t, tb.walkCap(q, stats), "nor a page far in")
	q, qerr = query.Parse(widgets.Collection(), mustValues(t, "kind=a&at=>2024-01-01T00:10:00Z&sort=-at"))
	require.NoError(t, qerr)
	assert.Zero(t, tb.walkCap(q, stats), "nor a filter the sort's index serves")
}
