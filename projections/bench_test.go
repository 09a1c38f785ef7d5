package projections_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
)

// BenchmarkProjectors projects a simulated member's history with every
// projector into the in-memory store, in catch-up sized transactions: the
// projectors' own cost (decoding payloads, reading and writing documents)
// without a database's. One iteration is one whole history.
func BenchmarkProjectors(b *testing.B) {
	log, _ := memberLog(b, 7)
	require.NotEmpty(b, log)
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		r, err := projections.NewRunner(nil, memstore.New(), catalogue.Default(), projections.RunnerOptions{}, projections.All()...)
		require.NoError(b, err)
		require.NoError(b, r.ApplyEvents(context.Background(), log))
	}
	rate := float64(len(log)) * float64(b.N) / time.Since(start).Seconds()
	b.ReportMetric(rate, "events/s")
	fmt.Printf("BENCH projectors_rate=%.0f events/s\n", rate)
}
