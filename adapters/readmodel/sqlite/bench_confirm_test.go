package sqlite

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/projections"
)

// BenchmarkConfirmPending is the live pattern of a member: b.N message rows
// are inserted pending in one transaction (not timed), then each is read
// and rewritten as confirmed in later transactions of confirmBatch rows, as
// the messages projector does a few hundred milliseconds after receipt:
// state, confirmed, sequence and the document change, every other column
// stays. The store holds every projector's table (projections.Tables()),
// as a member's does. update rewrites the changed columns (the adapter's
// way); replace forces every row onto INSERT OR REPLACE, as before.
func BenchmarkConfirmPending(b *testing.B) {
	b.Run("update", func(b *testing.B) { confirmPending(b, false) })
	b.Run("replace", func(b *testing.B) { confirmPending(b, true) })
}

func confirmPending(b *testing.B, replaceRows bool) {
	const confirmBatch = 200
	rows, docs := newMessageGen(1).rows(b.N)
	for _, r := range rows {
		r["state"] = projections.StatePending
		delete(r, "confirmed")
		delete(r, "sequence")
		delete(r, "reason")
	}
	s, err := Open(context.Background(), Config{Path: filepath.Join(b.TempDir(), "rm.db")}, projections.Tables(), zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	s.replaceRows = replaceRows
	fill(b, s, rows, docs, max(len(rows), 1))
	w0 := s.writes

	confirmedDocs := make([][]byte, len(rows))
	for i, d := range docs {
		confirmedDocs[i] = append([]byte(`{"confirmed":true,`), d[1:]...)
	}
	ctx := context.Background()
	b.ResetTimer()
	for start := 0; start < len(rows); start += confirmBatch {
		tx, err := s.Begin(ctx)
		if err != nil {
			b.Fatal(err)
		}
		for i := start; i < min(start+confirmBatch, len(rows)); i++ {
			r := rows[i]
			if _, found, err := tx.Get(projections.MessagesTable, "default", r["id"]); err != nil || !found {
				b.Fatal(found, err)
			}
			r["state"] = projections.StateConfirmed
			r["confirmed"] = r["created"].(time.Time).Add(300 * time.Millisecond)
			r["sequence"] = int64(i + 1)
			if err := tx.Put(projections.MessagesTable, r, confirmedDocs[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if w := s.writes; !replaceRows && w.updated-w0.updated != int64(b.N) {
		b.Fatalf("%d of %d rows updated in place", w.updated-w0.updated, b.N)
	}
	name := "update"
	if replaceRows {
		name = "replace"
	}
	report(b, "readmodel_confirm_pending/"+name+"/tx=200", float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
