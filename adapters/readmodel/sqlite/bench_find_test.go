package sqlite

import (
	"context"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// findRows is the size of BenchmarkFind's table; LM_BENCH_ROWS overrides it.
const findRows = 1_000_000

// BenchmarkFind runs typical API requests on a messages table of a million
// rows (built once, as a rebuild would: indexes deferred, then built).
func BenchmarkFind(b *testing.B) {
	n := findRows
	if v, err := strconv.Atoi(os.Getenv("LM_BENCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	s := openBench(b, filepath.Join(b.TempDir(), "rm.db"), true)
	g := newMessageGen(7)
	start := time.Now()
	var someBatch, someID [16]byte
	for done := 0; done < n; {
		chunk := min(50_000, n-done)
		rows, docs := g.rows(chunk)
		fill(b, s, rows, docs, chunk)
		if done == 0 {
			someBatch, _ = rows[chunk/2]["batch"].([16]byte)
			someID, _ = rows[chunk/2]["id"].([16]byte)
		}
		done += chunk
	}
	loaded := time.Since(start)
	if err := s.BuildIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	indexed := time.Since(start) - loaded
	benchLine("readmodel_bulk_load", float64(n)/loaded.Seconds(), "rows/s")
	benchLine("readmodel_bulk_index_build", indexed.Seconds(), "s")
	benchLine("readmodel_bulk_total", float64(n)/(loaded+indexed).Seconds(), "rows/s")

	for _, c := range []struct{ name, params string }{
		{"confirmed-newest", "state=confirmed&sort=-created&limit=25"},
		{"confirmed-newest-count", "state=confirmed&sort=-created&limit=25&count=true"},
		{"default-sort-count", "count=true"},
		{"topic", "topics=topic-042"},
		{"topic-count", "topics=topic-042&count=true"},
		{"author-prefix-count", "author=^did:firefly:org/org-01&count=true"},
		{"author-count", "author=did:firefly:org/org-007&count=true"},
		{"tag-pending-count", "tag=tag-03&state=pending&count=true"},
		{"author-fold-contains", "author=?:ORG-19"},
		{"batch", "batch=" + uuid.UUID(someBatch).String()},
		{"deep-page", "sort=sequence&skip=5000&limit=100"},
		{"hash-prefix", "hash=^" + hex.EncodeToString(someID[:2])},
	} {
		q, err := query.Parse(projections.MessagesTable.Collection(), mustValues(b, c.params))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			var docs, total int
			for range b.N {
				page, tot, err := s.Find(ctx, projections.MessagesTable, "default", q)
				if err != nil {
					b.Fatal(err)
				}
				docs, total = len(page), tot
			}
			b.ReportMetric(float64(docs), "docs")
			b.ReportMetric(float64(total), "total")
			report(b, "readmodel_find/"+c.name, float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/op")
		})
	}
	b.Run("get", func(b *testing.B) {
		for range b.N {
			if _, found, err := s.Get(ctx, projections.MessagesTable, "default", someID); err != nil || !found {
				b.Fatal(found, err)
			}
		}
		report(b, "readmodel_get", float64(b.Elapsed().Microseconds())/float64(b.N)/1000, "ms/op")
	})
}

func mustValues(tb testing.TB, s string) map[string][]string {
	tb.Helper()
	v, err := url.ParseQuery(s)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}
