package sqlite

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

func TestScratchPlan(t *testing.T) {
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
	ctx := context.Background()
	s := openBench(t, t.TempDir()+"/rm.db", true)
	rows, docs := newMessageGen(7).rows(300000)
	fill(t, s, rows, docs, 300000)
	if err := s.BuildIndexes(ctx); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("EXP_ANALYZE") != "" {
		t0 := time.Now()
		if _, err := s.w.conn.ExecContext(ctx, os.Getenv("EXP_ANALYZE")); err != nil {
			t.Fatal(err)
		}
		t.Log("analyze took ", time.Since(t0))
	}
	var names []string
	r0, _ := s.rdb.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'index'")
	for r0.Next() {
		var n string
		r0.Scan(&n)
		names = append(names, n)
	}
	r0.Close()
	t.Log(names)
	r1, _ := s.rdb.QueryContext(ctx, "SELECT idx, stat FROM sqlite_stat1")
	for r1.Next() {
		var a, b string
		r1.Scan(&a, &b)
		t.Log(a, " ", b)
	}
	r1.Close()
	b := rows[500]["batch"].([16]byte)
	for _, p := range []string{"batch=" + uuid.UUID(b).String(), "tag=tag-03&state=pending&count=true", "state=confirmed&sort=-created&limit=25&count=true", "author=^did:firefly:org/org-01&count=true", "topics=topic-042"} {
		q, _ := query.Parse(projections.MessagesTable.Collection(), mustValues(t, p))
		sel, err := s.tables[0].compile("default", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, sqlText := range []string{sel.pageSQL, sel.countSQL} {
			args := sel.pageArgs
			if sqlText == sel.countSQL {
				args = sel.whereArgs
			}
			r, err := s.rdb.QueryContext(ctx, "EXPLAIN QUERY PLAN "+sqlText, args...)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s\n  %s", p, sqlText)
			for r.Next() {
				var id, parent, notused int
				var detail string
				r.Scan(&id, &parent, &notused, &detail)
				t.Logf("    %s", detail)
			}
			r.Close()
		}
	}
}
