package projector_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/projections/search/projector"
)

// benchMessages is the size of the catch-up: as many messages, each with
// one data item of its own (so twice as many documents).
const benchMessages = 20_000

// confirmLag is how many messages are sent between a message and its
// confirmation, as a pin lands a moment after its batch.
const confirmLag = 500

// sentMessages builds n broadcast messages as a node records sending and
// confirming them: a MessageSubmitted each, with one data item of a few
// words drawn from a vocabulary with a Zipf distribution, and a
// MessageConfirmed confirmLag messages later (a message is indexed once
// decided). Every fourth confirmation waits until the end, past the
// Runner's text cache, so that its data row is read again.
func sentMessages(b testing.TB, n int) []catalogue.Payload {
	rng := rand.New(rand.NewPCG(3, 4))
	vocab := make([]string, 3000)
	for i := range vocab {
		vocab[i] = fmt.Sprintf("w%dx%d", i%97, i)
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	org, err := protocol.NewOrgDID("org1")
	require.NoError(b, err)
	key, err := protocol.NewSigningKey([protocol.SigningKeySize]byte{1, 2, 3})
	require.NoError(b, err)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sent := make([]catalogue.MessageSubmitted, n)
	for i := range sent {
		words := make([]string, 8+rng.IntN(24))
		for j := range words {
			words[j] = vocab[zipf.Uint64()]
		}
		value, err := json.Marshal(map[string]any{"note": strings.Join(words, " "), "amount": fmt.Sprintf("%d.%02d", rng.IntN(10000), rng.IntN(100))})
		require.NoError(b, err)
		d, err := protocol.NewData(protocol.DataFields{ID: uuid.NewSHA1(uuid.Nil, fmt.Appendf(nil, "d%d", i)), Value: value})
		require.NoError(b, err)
		m, err := protocol.BuildMessage(protocol.MessageHeaderFields{ID: uuid.NewSHA1(uuid.Nil, fmt.Appendf(nil, "m%d", i)),
			Type: protocol.MessageTypeBroadcast, TxType: protocol.TxTypeBatchPin, Author: org, Key: key,
			Created: base.Add(time.Duration(i) * time.Millisecond), Namespace: "default",
			Topics: []string{fmt.Sprintf("topic%d", i%20)}, Tag: fmt.Sprintf("tag%d", i%7)}, []protocol.DataRef{d.Ref()})
		require.NoError(b, err)
		sent[i] = catalogue.MessageSubmitted{Message: m, Data: []protocol.Data{d}}
	}
	confirm := func(m protocol.Message) catalogue.Payload {
		return catalogue.MessageConfirmed{Namespace: "default", MessageID: m.Header().ID(), BatchID: m.Header().ID(),
			MessageHash: m.Hash(), Location: catalogue.ChainLocation{Chain: "ethereum:1337", Contract: "0xb1", BlockNumber: 1, BlockHash: "0xab", TxHash: "0xcd"},
			Contexts: []catalogue.ConfirmedContext{{Context: protocol.Hash{1}, Pin: protocol.Hash{2}, Count: 1, Digest: protocol.Hash{3}}}}
	}
	out := make([]catalogue.Payload, 0, 2*n)
	var late []catalogue.Payload
	for i, p := range sent {
		out = append(out, p)
		if j := i - confirmLag; j >= 0 {
			if j%4 == 3 {
				late = append(late, confirm(sent[j].Message))
			} else {
				out = append(out, confirm(sent[j].Message))
			}
		}
	}
	for _, p := range sent[max(0, n-confirmLag):] {
		out = append(out, confirm(p.Message))
	}
	return append(out, late...)
}

// BenchmarkCatchUp measures the projector catching up on benchMessages
// messages into an empty Bleve index, reading a SQLite read model the
// projections already filled (what a node does after a new mapping version
// or a lost index), then the latency of searches over the result.
func BenchmarkCatchUp(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	store := openStore(b, dir)
	head := appendAll(b, store, sentMessages(b, benchMessages))
	rm, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(dir, "readmodel.db")}, projections.Tables(), zerolog.Nop())
	require.NoError(b, err)
	b.Cleanup(func() { _ = rm.Close() })
	views, err := projections.NewRunner(store, rm, catalogue.Default(), projections.RunnerOptions{}, projections.All()...)
	require.NoError(b, err)
	viewsCtx, stopViews := context.WithCancel(ctx)
	defer stopViews()
	go func() { _ = views.Run(viewsCtx) }()
	require.NoError(b, views.WaitFor(ctx, head))

	var idx *bleve.Index
	var elapsed, cpu time.Duration
	for i := 0; b.Loop(); i++ {
		if idx != nil {
			require.NoError(b, idx.Close())
		}
		idx, err = bleve.Open(filepath.Join(dir, fmt.Sprintf("search-%d", i)), bleve.Config{})
		require.NoError(b, err)
		p := projector.New(idx, rm, store, catalogue.Default(), projector.Options{Progress: views})
		runCtx, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		start, startCPU := time.Now(), cpuTime()
		go func() { done <- p.Run(runCtx) }()
		require.NoError(b, p.WaitFor(ctx, head))
		elapsed += time.Since(start)
		stop()
		require.NoError(b, <-done)
		require.NoError(b, idx.Close()) // Bleve's persisting and merging is part of the cost
		cpu += cpuTime() - startCPU
		idx, err = bleve.Open(filepath.Join(dir, fmt.Sprintf("search-%d", i)), bleve.Config{})
		require.NoError(b, err)
	}
	defer idx.Close()
	docs := 2 * benchMessages
	rate := float64(docs*b.N) / elapsed.Seconds()
	b.ReportMetric(rate, "docs/s")
	fmt.Printf("BENCH search_projector_catchup=%.0f docs/s\n", rate)
	if cpu > 0 {
		// The wall-clock rate depends on what else the machine runs; the
		// CPU time the process spent (indexing, reading the read model,
		// Bleve's background persisting and merging) does not.
		perCPU := float64(docs*b.N) / cpu.Seconds()
		b.ReportMetric(perCPU, "docs/cpu-s")
		fmt.Printf("BENCH search_projector_catchup_cpu=%.0f docs/cpu-s\n", perCPU)
	}

	res, err := idx.Search(ctx, search.Request{Namespace: "default"})
	require.NoError(b, err)
	require.Equal(b, docs, res.Total)
	queries := []struct{ name, q string }{
		{"common-word", "w5x5"}, {"rare-word", "w87x2900"}, {"phrase", `"w1x1 w2x2"`}, {"two-words", "w3x3 w4x4"}, {"prefix", "w1x*"},
		{"field-and-word", "tag:tag3 w5x5"}, {"exclusion", "state:pending -w1x1"}, {"field", "topics:topic7"},
	}
	var all []time.Duration
	for _, q := range queries {
		var lat []time.Duration
		for range 30 {
			start := time.Now()
			_, err := idx.Search(ctx, search.Request{Namespace: "default", Query: q.q})
			lat = append(lat, time.Since(start))
			require.NoError(b, err, q.q)
		}
		slices.Sort(lat)
		all = append(all, lat...)
		fmt.Printf("BENCH search_latency_%s_p50=%.2f ms\n", q.name, float64(lat[len(lat)/2].Microseconds())/1000)
	}
	slices.Sort(all)
	p50, p99 := all[len(all)/2], all[len(all)*99/100]
	fmt.Printf("BENCH search_latency_p50=%.2f ms\nBENCH search_latency_p99=%.2f ms\n",
		float64(p50.Microseconds())/1000, float64(p99.Microseconds())/1000)
}
