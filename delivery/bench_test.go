package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// BenchmarkReplay measures a replay from offset 0 of an event list in the
// SQLite read model, through the engine (page reads, filter, envelope),
// without a transport: the ceiling of what /ws and SSE can send.
func BenchmarkReplay(b *testing.B) {
	const n = 20000
	ctx := context.Background()
	rm, err := rmsqlite.Open(ctx, rmsqlite.Config{Path: filepath.Join(b.TempDir(), "rm.db")},
		[]*projections.Table{projections.EventsTable}, zerolog.Nop())
	require.NoError(b, err)
	defer func() { _ = rm.Close() }()
	for start := 0; start < n; start += 1000 {
		tx, err := rm.Begin(ctx)
		require.NoError(b, err)
		for i := start; i < start+1000; i++ {
			d := projections.EventDoc{ID: uuid.New(), Sequence: int64(i + 1), Namespace: "default",
				Type: projections.EventMessageConfirmed, Reference: uuid.NewString(), Topics: []string{"orders"},
				Author: "did:lm:org/org1", Created: time.Unix(1, 0).UTC()}
			raw, err := json.Marshal(d)
			require.NoError(b, err)
			require.NoError(b, tx.Put(projections.EventsTable, query.Row{"namespace": d.Namespace, "sequence": d.Sequence,
				"id": [16]byte(d.ID), "type": d.Type, "reference": d.Reference, "topics": d.Topics,
				"author": d.Author, "created": d.Created}, raw))
		}
		require.NoError(b, tx.Commit())
	}
	prog := &progress{pos: event.Position(n)}
	eng := delivery.New(rm, prog, nil, zerolog.Nop(), delivery.Options{})
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		zero := uint64(0)
		s, err := eng.Open(ctx, subscription.StreamRequest{Namespace: "default", After: &zero, AutoAck: true,
			Filter: subscription.FilterSpec{Topics: "^orders$"}})
		require.NoError(b, err)
		for range n {
			if _, err := s.Next(ctx); err != nil {
				b.Fatal(err)
			}
		}
		require.NoError(b, s.Close())
	}
	rate := float64(n*b.N) / time.Since(start).Seconds()
	b.ReportMetric(rate, "events/s")
	fmt.Printf("BENCH delivery.replay.engine=%.0f events/s\n", rate)
}
