package storebench

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
)

func TestRunReportsEveryFigure(t *testing.T) {
	var msgs []string
	results, err := Run(context.Background(), Options{Events: 2000, SingleEvents: 300, Dir: t.TempDir()},
		func(m string) { msgs = append(msgs, m) })
	require.NoError(t, err)
	names := []string{NameAppendSingle, NameAppendBatched, NameReadAll, NameSubscribeCatch, NameRawInsert, NameAppendRatio}
	require.Len(t, results, len(names))
	for i, r := range results {
		assert.Equal(t, names[i], r.Name)
		assert.Positive(t, r.Value, r.Name)
		if r.Name == NameAppendRatio {
			assert.Equal(t, "ratio", r.Unit)
		} else {
			assert.Equal(t, "events/s", r.Unit)
		}
	}
	assert.NotEmpty(t, msgs)
}

func TestOptionsValidate(t *testing.T) {
	_, err := Run(context.Background(), Options{Events: -1}, nil)
	assert.Error(t, err)
	_, err = Run(context.Background(), Options{Synchronous: "sometimes"}, nil)
	assert.Error(t, err)
	for _, o := range []Options{
		{Driver: "oracle"},
		{Driver: DriverPostgres}, // no url
		{Driver: DriverPostgres, URL: "postgres://x", Synchronous: "full"}, // sqlite only
		{URL: "postgres://x"},                               // url without postgres
		{Queries: querybench.MessagesOptions{Messages: 10}}, // postgres only
		{Driver: DriverPostgres, URL: "postgres://x", Queries: querybench.MessagesOptions{Messages: -1}}, // out of range
	} {
		_, err = Run(context.Background(), o, nil)
		assert.ErrorIs(t, err, ErrInvalidOptions, "%+v", o)
	}
}

func TestPayloadIsRealistic(t *testing.T) {
	w := newWorkload(250, 100, DefaultPayloadSize)
	require.Len(t, w.groups, 3)
	assert.Len(t, w.groups[2], 50)
	for _, g := range w.groups {
		for _, e := range g {
			require.NoError(t, e.Validate())
			assert.InDelta(t, DefaultPayloadSize, len(e.Data), 40)
		}
	}
}

// The benchmarks measure one figure each on b.N events and print it as a
// BENCH line too; `ledgermirror bench store` runs the whole set.

func BenchmarkAppendBatched(b *testing.B) {
	w := newWorkload(max(b.N, appendBatch), appendBatch, DefaultPayloadSize)
	bn := bench{opts: Options{Dir: b.TempDir()}, progress: func(string) {}}
	b.ResetTimer()
	rate, err := bn.appendBatched(context.Background(), w)
	require.NoError(b, err)
	report(b, NameAppendBatched, rate)
}

func BenchmarkAppendSingle(b *testing.B) {
	w := newWorkload(b.N, eventsPerStream, DefaultPayloadSize)
	bn := bench{opts: Options{Dir: b.TempDir()}, progress: func(string) {}}
	b.ResetTimer()
	rate, err := bn.appendSingle(context.Background(), w)
	require.NoError(b, err)
	report(b, NameAppendSingle, rate)
}

func BenchmarkReadAll(b *testing.B) {
	w := newWorkload(max(b.N, appendBatch), appendBatch, DefaultPayloadSize)
	bn := bench{opts: Options{Dir: b.TempDir()}, progress: func(string) {}}
	_, err := bn.appendBatched(context.Background(), w)
	require.NoError(b, err)
	b.ResetTimer()
	rate, err := bn.readAll(context.Background(), w.total)
	require.NoError(b, err)
	report(b, NameReadAll, rate)
}

func BenchmarkSubscribeCatchUp(b *testing.B) {
	w := newWorkload(max(b.N, appendBatch), appendBatch, DefaultPayloadSize)
	bn := bench{opts: Options{Dir: b.TempDir()}, progress: func(string) {}}
	_, err := bn.appendBatched(context.Background(), w)
	require.NoError(b, err)
	b.ResetTimer()
	rate, err := bn.subscribeCatchUp(context.Background(), w.total)
	require.NoError(b, err)
	report(b, NameSubscribeCatch, rate)
}

func BenchmarkRawInsertBatched(b *testing.B) {
	w := newWorkload(max(b.N, appendBatch), appendBatch, DefaultPayloadSize)
	bn := bench{opts: Options{Dir: b.TempDir()}, progress: func(string) {}}
	b.ResetTimer()
	rate, err := bn.rawInsert(context.Background(), w)
	require.NoError(b, err)
	report(b, NameRawInsert, rate)
}

func report(b *testing.B, name string, rate float64) {
	b.ReportMetric(rate, "events/s")
	fmt.Printf("BENCH %s=%.6g events/s\n", name, rate)
}
