package sqlite

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// The sort walk: a page of a filtered, sorted query read by walking the
// sort's index, when SQLite would rather use the filter's.
//
// With statistics, SQLite serves author=X&sort=-created by the author index
// and sorts every row of that author (50,000 of a million, each fetched
// from the table) to return 25: its planner does not weigh the LIMIT. Going
// down the created index instead and testing each row finds 25 of them
// after some 500 rows. Which plan wins depends on how common the filtered
// value is, which sqlite_stat1 tells (the average rows per value of each
// index), but not for a given value: a rare value of a common-looking
// field (state=pending among a million confirmed messages) would send the
// walk through the whole table. So the walk is bounded: it looks at the
// first rows of the sort order only (walkCap), and answers only when it found
// the whole page there, which is then exactly the page the full query
// returns (every match beyond those rows comes after them in the order).
// Otherwise the ordinary query runs, and the walk cost at most the rows it
// looked at.

// Bounds of the walk. SQLite streams the walk (each level orders by the
// columns of the one below, in their order), so a walk that finds the page
// stops at its last row: the window bounds only what a walk that fails
// costs.
const (
	// walkMinRows: a filter whose index gives fewer rows per value than this
	// is served by that index; sorting so few rows is cheap.
	walkMinRows = 2000
	// walkMaxWindow: pages that end further into the order than this are
	// left to SQLite.
	walkMaxWindow = 1000
	// walkMargin multiplies the rows the statistics say the page needs, so
	// that an estimate several times too hopeful still finds the page.
	walkMargin = 8
	// walkMinCap and walkMaxCap bound the rows a walk looks at.
	walkMinCap = 2000
	walkMaxCap = 20000
	// statsEvery is how often Find re-reads sqlite_stat1 (PRAGMA optimize
	// and BuildIndexes refresh it).
	statsEvery = time.Minute
)

// tableStats are a table's rows and, per column with an index, the average
// rows per value within a namespace.
type tableStats struct {
	rows     float64
	perValue map[string]float64
}

// statsCache holds sqlite_stat1 as last read, by table name.
type statsCache struct {
	mu     sync.Mutex
	read   time.Time
	tables map[string]tableStats
}

// get returns the statistics, reading them again when they are older than
// statsEvery. A failed read leaves the walk unused (no statistics).
func (c *statsCache) get(ctx context.Context, db queryer) map[string]tableStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.read) < statsEvery {
		return c.tables
	}
	c.read = time.Now()
	c.tables = readStats(ctx, db)
	return c.tables
}

// invalidate makes the next get read the statistics again.
func (c *statsCache) invalidate() {
	c.mu.Lock()
	c.read = time.Time{}
	c.mu.Unlock()
}

// readStats parses sqlite_stat1: for an index "<table>_by_<field>" on
// (namespace, field, key), stat is "rows rows-per-namespace
// rows-per-(namespace, field) 1".
func readStats(ctx context.Context, db queryer) map[string]tableStats {
	rows, err := db.QueryContext(ctx, "SELECT tbl, idx, stat FROM sqlite_stat1")
	if err != nil {
		return nil // no ANALYZE yet: the table does not exist
	}
	defer func() { _ = rows.Close() }()
	out := map[string]tableStats{}
	for rows.Next() {
		var tbl, idx, stat sql.NullString // idx is NULL for a table without indexes
		if err := rows.Scan(&tbl, &idx, &stat); err != nil {
			return nil
		}
		field, ok := strings.CutPrefix(idx.String, tbl.String+"_by_")
		nums := strings.Fields(stat.String)
		if !ok || len(nums) < 3 {
			continue
		}
		total, err1 := strconv.ParseFloat(nums[0], 64)
		per, err2 := strconv.ParseFloat(nums[2], 64)
		if err1 != nil || err2 != nil {
			continue
		}
		ts := out[tbl.String]
		if ts.perValue == nil {
			ts.perValue = map[string]float64{}
		}
		ts.rows, ts.perValue[field] = total, per
		out[tbl.String] = ts
	}
	if rows.Err() != nil {
		return nil
	}
	return out
}

// walkCap returns how many rows of the sort order a walk should look at for
// q, or 0 when the ordinary query is the better plan: the sort does not
// start with an indexed column, the page ends too far in, or a filter has
// an index selective enough. The estimate takes the most selective
// equality filter; the others only make matches rarer, which the margin
// and the fallback absorb.
func (t *table) walkCap(q query.Query, st tableStats) int {
	if len(q.Where) == 0 || len(q.Sort) == 0 || q.Limit <= 0 || st.rows <= 0 {
		return 0
	}
	window := q.Skip + q.Limit
	if window > walkMaxWindow {
		return 0
	}
	first, ok := t.byName[q.Sort[0].Field]
	if !ok || !t.indexed(first) {
		return 0
	}
	// SQLite picks the index of an equality filter over the sort's when it
	// has one; without one it walks the sort's index itself.
	matching, found := st.rows, false
	for _, group := range q.Where {
		for _, c := range group {
			if c.Field.Name == q.Sort[0].Field {
				return 0 // the sort's index serves the filter too
			}
		}
		if len(group) != 1 {
			continue
		}
		c := group[0]
		if c.Not || c.Fold || (c.Op != query.Eq && c.Op != query.In) {
			continue
		}
		if i, ok := t.byName[c.Field.Name]; !ok || i == t.key {
			return 0 // a key lookup: at most a row per value
		}
		if per, ok := st.perValue[c.Field.Name]; ok {
			matching, found = min(matching, per*float64(len(c.Values))), true
		}
	}
	if !found || matching < walkMinRows {
		return 0
	}
	need := float64(window) * st.rows / matching * walkMargin
	return int(min(max(need, walkMinCap), walkMaxCap))
}

// indexed reports whether column i leads an index after the namespace.
func (t *table) indexed(i int) bool {
	return i == t.key || i > 0 && t.cols[i].sortable && t.cols[i].typ != query.StringList
}

// walk is sel's page read by a walk over the first window rows of the sort
// order: the window's row ids from the sort's index, then the filters on
// those rows (their sort columns only), then the documents of the page.
func (sel selection) walk(window int) (string, []any) {
	args := make([]any, 0, len(sel.whereArgs)+4)
	args = append(append(append(args, sel.ns, int64(window)), sel.whereArgs...), sel.pageArgs[len(sel.pageArgs)-2:]...)
	return sel.walkSQL, args
}
