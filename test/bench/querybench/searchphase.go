package querybench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// indexCall is the number of documents per Index call, as a projector
// catching up hands them over.
const indexCall = 1000

// searchIndex measures the Bleve adapter: query.search.index is the rate
// of indexing Options.Messages message documents (the messages of the
// query phase, with their data's words as text) through the search port in
// calls of indexCall, then a Flush; query.search.p99_ms is the 99th
// percentile of Options.Searches searches of a mix of words, phrases,
// prefixes and fields, one at a time, each with its hits' highlights built
// from texts (the read model of the messages phase) as a node's API does.
func (b *bench) searchIndex(ctx context.Context, texts search.TextSource) (indexRate float64, p99 time.Duration, err error) {
	w, err := newWorkload(false)
	if err != nil {
		return 0, 0, err
	}
	dir := filepath.Join(b.opts.Dir, "search")
	defer func() { _ = os.RemoveAll(dir) }()
	idx, err := bleve.Open(dir, bleve.Config{})
	if err != nil {
		return 0, 0, err
	}
	defer func() { _ = idx.Close() }()
	searcher := search.WithHighlights(idx, texts)

	b.progress(fmt.Sprintf("%s: indexing %d message documents", NameSearchIndex, b.opts.Messages))
	docs := make([]search.Document, 0, indexCall)
	var indexing time.Duration
	report := time.Now()
	send := func() error {
		t0 := time.Now()
		err := idx.Index(ctx, docs...)
		indexing += time.Since(t0)
		docs = docs[:0]
		return err
	}
	for m := range b.opts.Messages {
		docs = append(docs, w.searchDoc(uint64(m/perBatch), m%perBatch)) //nolint:gosec // m >= 0
		if len(docs) == indexCall {
			if err := send(); err != nil {
				return 0, 0, err
			}
		}
		if time.Since(report) > 5*time.Second {
			report = time.Now()
			b.progress(fmt.Sprintf("search: %d of %d documents indexed (%.0f docs/s)", m+1, b.opts.Messages, rate(m+1, indexing)))
		}
	}
	if err := send(); err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	if err := idx.Flush(ctx); err != nil {
		return 0, 0, err
	}
	indexing += time.Since(t0)
	indexRate = rate(b.opts.Messages, indexing)

	searches := w.searchMix(b.opts.Searches)
	for _, r := range searches[:min(len(searches), warmUp)] {
		if _, err := searcher.Search(ctx, r); err != nil {
			return 0, 0, fmt.Errorf("search %q: %w", r.Query, err)
		}
	}
	took := make([]time.Duration, len(searches))
	hits, highlighted := 0, 0
	for i, r := range searches {
		t0 := time.Now()
		res, err := searcher.Search(ctx, r)
		took[i] = time.Since(t0)
		if err != nil {
			return 0, 0, fmt.Errorf("search %q: %w", r.Query, err)
		}
		if res.Total > 0 {
			hits++
		}
		for _, h := range res.Hits {
			if len(h.Highlights[search.TextField]) > 0 {
				highlighted++
			}
		}
	}
	b.progress(fmt.Sprintf("%s: %d searches, %d with hits, %d hits highlighted, p50 %.2f ms",
		NameSearchP99, len(searches), hits, highlighted, ms(percentile(took, 0.5))))
	if hits > 0 && highlighted == 0 {
		// The words of the mix are in the text: the read model's texts
		// are not what was indexed.
		return 0, 0, errors.New("no hit has a highlight")
	}
	return indexRate, percentile(took, 0.99), nil
}

// searchMix returns n searches of the messages (first page, with totals
// and highlights), drawn with a fixed seed: common and rare words, two
// words, a phrase, a prefix, fields alone and with words, an exclusion.
func (w *workload) searchMix(n int) []search.Request {
	rng := rand.New(rand.NewPCG(11, uint64(n))) //nolint:gosec // a reproducible mix, not a secret
	word := func() string { return w.word(rng.Uint64(), rng.IntN(12)) }
	shapes := []func() string{
		word,
		func() string { return word() + " " + word() },
		func() string {
			m := rng.Uint64N(1 << 20)
			return `"` + w.word(m, 3) + " " + w.word(m, 4) + `"`
		},
		func() string { return word()[:3] + "*" },
		func() string { return "author:" + w.orgs[rng.IntN(orgs)].String() + " type:private" },
		func() string { return "topics:" + topicOf(rng.Uint64()) + " " + word() },
		func() string { return fmt.Sprintf("tag:tag-%02d", rng.IntN(tags)) },
		func() string { return word() + " -" + word() },
	}
	out := make([]search.Request, n)
	for i := range out {
		out[i] = search.Request{Namespace: namespace, Kind: search.Messages, Query: strings.TrimSpace(shapes[rng.IntN(len(shapes))]())}
	}
	return out
}
