package querybench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/ledgermirror/ledgermirror/projections/search/projector"
	"github.com/ledgermirror/ledgermirror/test/bench/resident"
)

// Run builds the logs, read models and index, measures them and returns
// the figures in a fixed order (see the Name constants). progress, if not
// nil, hears what is happening; it is called from Run's goroutine only.
func Run(ctx context.Context, opts Options, progress func(string)) ([]Result, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("querybench: %w: %w", ErrInvalidOptions, err)
	}
	if progress == nil {
		progress = func(string) {}
	}
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "lm-querybench-*")
		if err != nil {
			return nil, err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		opts.Dir = dir
	} else if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, err
	}
	b := &bench{opts: opts, progress: progress}
	return b.run(ctx)
}

type bench struct {
	opts     Options
	progress func(string)
}

func (b *bench) run(ctx context.Context) (_ []Result, err error) {
	var results []Result
	add := func(name string, value float64, unit string) {
		results = append(results, Result{Name: name, Value: value, Unit: unit})
		b.progress(fmt.Sprintf("%s = %.6g %s", name, value, unit))
	}

	sampler := resident.Start(100*time.Millisecond, false)
	defer sampler.Stop()
	rebuild, err := b.rebuild(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameRebuild, err)
	}
	add(NameRebuild, rebuild, unitEventsPerSec)
	b.memory()

	// The search phase highlights its hits from the messages phase's read
	// model, as a node does: it is kept until then.
	path := filepath.Join(b.opts.Dir, "query.db")
	rm, err := openSQLite(ctx, path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameMessagesP99, err)
	}
	defer removeDB(path)
	defer func() { err = errors.Join(err, rm.Close()) }()
	figures, err := RunMessages(ctx, rm, b.opts.messages(), b.progress)
	if err != nil {
		return nil, err
	}
	for _, r := range figures {
		add(r.Name, r.Value, r.Unit)
	}
	b.memory()

	indexRate, searchP99, err := b.searchIndex(ctx, projector.Texts(rm))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameSearchP99, err)
	}
	add(NameSearchIndex, indexRate, unitDocsPerSec)
	add(NameSearchP99, ms(searchP99), unitMilliseconds)

	rss, err := resident.PeakMiB()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameRSS, err)
	}
	b.memory()
	peaks := sampler.Stop()
	b.progress(fmt.Sprintf("memory: peak resident %.0f MiB; sampled peaks: anonymous %.0f MiB, mapped files %.0f MiB",
		rss, peaks.AnonMiB, peaks.FileMiB))
	add(NameRSS, rss, unitMegabytes)
	return results, nil
}

// memory tells progress where the memory went: the Go heap against the
// peak resident set; the rest is outside the Go heap (SQLite's caches).
func (b *bench) memory() {
	rss, err := resident.PeakMiB()
	if err != nil {
		return
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	b.progress(fmt.Sprintf("memory: peak resident %.0f MiB so far; Go heap in use %d MiB, Go runtime total %d MiB",
		rss, mem.HeapInuse>>20, mem.Sys>>20))
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}

func removeDB(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}
