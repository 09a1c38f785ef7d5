package generation_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// BenchmarkOfflineRebuild rebuilds the read model of a simulated history
// (about 14 events per batch: pins, batches, messages, decisions) as
// `ledgermirror rebuild` does: deferred indexes, 10,000 events per
// transaction, the indexes built at the end. One iteration is one whole
// rebuild; the figure is events per second including the index build.
func BenchmarkOfflineRebuild(b *testing.B) {
	dir := b.TempDir()
	events := openEvents(b, dir)
	log := simulatedLog(b, 11, 2000)
	appendLog(b, events, log)
	head, err := events.Head(context.Background())
	require.NoError(b, err)
	comp := newComponent(dir, events)
	comp.batch = 10_000
	cfg := generation.Config{Pointer: filepath.Join(dir, "readmodel.db.generation"), Events: events, ReadModel: comp,
		Tick: 20 * time.Millisecond, Log: zerolog.Nop()}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		_, err := generation.Rebuild(context.Background(), cfg, "", nil)
		require.NoError(b, err)
	}
	rate := float64(head) * float64(b.N) / time.Since(start).Seconds()
	b.ReportMetric(rate, "events/s")
	fmt.Printf("BENCH rebuild_events=%d events\nBENCH rebuild_rate=%.0f events/s\n", head, rate)
}
