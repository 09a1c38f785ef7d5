package bleve_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// benchDocs is the size of the benchmark corpus, indexed in calls of
// benchCall documents (what a projector catching up would do).
const (
	benchDocs = 100_000
	benchCall = 1000
	benchNS   = "default"
)

// corpus generates n documents, the same for every run: 70% messages, 30%
// data; texts of 20 to 80 words drawn from a 5,000-word vocabulary with a
// Zipf distribution, as natural text is.
func corpus(n int) []search.Document {
	rng := rand.New(rand.NewPCG(1, 2))
	vocab := make([]string, 5000)
	syllables := []string{"ka", "lo", "mi", "ne", "ru", "ta", "vo", "zen", "pra", "dex", "sol", "qua", "fin", "gor", "lux", "bit"}
	for i := range vocab {
		var w strings.Builder
		for j := 0; j < 2+i%3; j++ {
			w.WriteString(syllables[(i*7+j*13+i/16)%len(syllables)])
		}
		vocab[i] = fmt.Sprintf("%s%d", w.String(), i)
	}
	zipf := rand.NewZipf(rng, 1.1, 2, uint64(len(vocab)-1))
	docs := make([]search.Document, n)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range docs {
		words := make([]string, 20+rng.IntN(61))
		for j := range words {
			words[j] = vocab[zipf.Uint64()]
		}
		d := search.Document{
			Namespace: benchNS,
			ID:        uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "bench-%d", i)).String(),
			Text:      strings.Join(words, " "),
			Time:      start.Add(time.Duration(i) * time.Second),
		}
		if i%10 < 7 {
			d.Kind = search.Messages
			d.Fields = map[string][]string{
				"author": {fmt.Sprintf("did:lm:org/org%d", rng.IntN(50))},
				"tag":    {fmt.Sprintf("tag-%d", rng.IntN(200))},
				"topics": {fmt.Sprintf("topic-%d", rng.IntN(100)), fmt.Sprintf("topic-%d", rng.IntN(100))},
				"type":   {[]string{"broadcast", "private"}[rng.IntN(2)]},
				"state":  {[]string{"confirmed", "pending", "rejected"}[rng.IntN(3)]},
			}
		} else {
			d.Kind = search.Data
			d.Fields = map[string][]string{
				"datatype": {fmt.Sprintf("type%d/1", rng.IntN(20))},
				"blob":     {fmt.Sprintf("file-%d.pdf", i)},
			}
		}
		docs[i] = d
	}
	return docs
}

func indexAll(b *testing.B, idx *bleve.Index, docs []search.Document) {
	for i := 0; i < len(docs); i += benchCall {
		require.NoError(b, idx.Index(context.Background(), docs[i:min(i+benchCall, len(docs))]...))
	}
	require.NoError(b, idx.Flush(context.Background()))
}

func report(b *testing.B, name string, value float64, unit string) {
	b.ReportMetric(value, unit)
	fmt.Printf("BENCH %s=%.6g %s\n", name, value, unit)
}

// BenchmarkIndex100k indexes the corpus into a new index, per iteration.
func BenchmarkIndex100k(b *testing.B) {
	docs := corpus(benchDocs)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		idx, err := bleve.Open(fmt.Sprintf("%s/%d", b.TempDir(), i), bleve.Config{})
		require.NoError(b, err)
		indexAll(b, idx, docs)
		require.NoError(b, idx.Close()) // includes persisting to disk
	}
	report(b, "search.bleve.index", float64(benchDocs*b.N)/b.Elapsed().Seconds(), "docs/s")
}

// BenchmarkSearch100k searches the indexed corpus with one query of each
// shape; the figures are the mean and the 99th percentile of one search
// (first page of 25 hits, with Total and highlights).
func BenchmarkSearch100k(b *testing.B) {
	idx, err := bleve.Open(b.TempDir(), bleve.Config{})
	require.NoError(b, err)
	b.Cleanup(func() { _ = idx.Close() })
	docs := corpus(benchDocs)
	indexAll(b, idx, docs)
	first := strings.Fields(docs[0].Text)
	for _, q := range []struct{ name, query string }{
		{"common-word", first[0]},
		{"two-words", first[0] + " " + first[1]},
		{"phrase", `"` + first[2] + " " + first[3] + `"`},
		{"prefix", first[0][:3] + "*"},
		{"field", "author:did:lm:org/org7 type:private"},
		{"exclusion", first[0] + " -" + first[1]},
		{"everything", ""},
	} {
		b.Run(q.name, func(b *testing.B) {
			r := search.Request{Namespace: benchNS, Query: q.query}
			var (
				took  []time.Duration
				total int
			)
			for b.Loop() {
				t0 := time.Now()
				res, err := idx.Search(context.Background(), r)
				took = append(took, time.Since(t0))
				require.NoError(b, err)
				total = res.Total
			}
			slices.Sort(took)
			mean := b.Elapsed() / time.Duration(len(took))
			p99 := took[len(took)*99/100]
			report(b, "search.bleve.search."+q.name+".mean", float64(mean.Microseconds()), "us")
			report(b, "search.bleve.search."+q.name+".p99", float64(p99.Microseconds()), "us")
			b.ReportMetric(float64(total), "hits")
		})
	}
}
