package storebench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Run measures the event store of opts.Driver and returns its figures in a
// fixed order (see the Name constants; store.append.concurrent and the
// query figures are measured on Postgres only). progress, if not nil, hears
// what is happening; it is called from Run's goroutine only.
func Run(ctx context.Context, opts Options, progress func(string)) ([]Result, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("storebench: %w: %w", ErrInvalidOptions, err)
	}
	if progress == nil {
		progress = func(string) {}
	}
	if opts.Driver == DriverPostgres {
		pg, err := newPGBench(ctx, opts.URL)
		if err != nil {
			return nil, err
		}
		defer pg.dropAll()
		b := bench{opts: opts, progress: progress, pg: pg}
		return b.run(ctx)
	}
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "storebench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		opts.Dir = dir
	}
	b := bench{opts: opts, progress: progress}
	return b.run(ctx)
}

func (b bench) run(ctx context.Context) ([]Result, error) {
	opts, progress := b.opts, b.progress
	single := newWorkload(min(opts.SingleEvents, opts.Events), eventsPerStream, opts.PayloadSize)
	batched := newWorkload(opts.Events, appendBatch, opts.PayloadSize)
	var results []Result
	add := func(name string, value float64, unit string) {
		results = append(results, Result{Name: name, Value: value, Unit: unit})
		progress(fmt.Sprintf("%s = %.6g %s", name, value, unit))
	}

	rate, err := b.appendSingle(ctx, single)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameAppendSingle, err)
	}
	add(NameAppendSingle, rate, unitEventsPerSecond)

	batchedRate, err := b.appendBatched(ctx, batched)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameAppendBatched, err)
	}
	add(NameAppendBatched, batchedRate, unitEventsPerSecond)

	if b.pg != nil {
		if rate, err = b.appendConcurrent(ctx, single); err != nil {
			return nil, fmt.Errorf("%s: %w", NameAppendConcurrent, err)
		}
		add(NameAppendConcurrent, rate, unitEventsPerSecond)
	}

	if rate, err = b.readAll(ctx, batched.total); err != nil {
		return nil, fmt.Errorf("%s: %w", NameReadAll, err)
	}
	add(NameReadAll, rate, unitEventsPerSecond)

	if rate, err = b.subscribeCatchUp(ctx, batched.total); err != nil {
		return nil, fmt.Errorf("%s: %w", NameSubscribeCatch, err)
	}
	add(NameSubscribeCatch, rate, unitEventsPerSecond)
	b.discard(batchedName)

	rawInsert := b.rawInsert
	if b.pg != nil {
		rawInsert = b.rawInsertPostgres
	}
	rawRate, err := rawInsert(ctx, batched)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameRawInsert, err)
	}
	add(NameRawInsert, rawRate, unitEventsPerSecond)
	add(NameAppendRatio, batchedRate/rawRate, unitRatio)

	if b.pg != nil {
		figures, err := b.pg.queries(ctx, b.opts.Queries, progress)
		if err != nil {
			return nil, err
		}
		for _, r := range figures {
			add(r.Name, r.Value, r.Unit)
		}
	}
	return results, nil
}

type bench struct {
	opts     Options
	progress func(string)
	pg       *pgBench // nil for SQLite
}

// Store names: a file in Dir for SQLite, a schema for Postgres.
const (
	singleName     = "append-single"
	batchedName    = "append-batched"
	concurrentName = "append-concurrent"
)

func (b bench) path(name string) string { return filepath.Join(b.opts.Dir, name+".db") }

// open opens the named store fresh (fresh=true) or as a previous
// measurement left it.
func (b bench) open(ctx context.Context, name string, fresh bool) (event.Store, error) {
	if fresh {
		b.discard(name)
	}
	if b.pg != nil {
		return b.pg.open(ctx, name)
	}
	return sqlite.Open(ctx, sqlite.Config{Path: b.path(name), Synchronous: b.opts.Synchronous}, zerolog.Nop())
}

// discard deletes the named store's data.
func (b bench) discard(name string) {
	if b.pg != nil {
		b.pg.drop(name)
		return
	}
	b.remove(b.path(name))
}

func (b bench) remove(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(path + suffix)
	}
}

// appendSingle appends one event per Append, sequentially, each stream
// getting its events in turn with an exact expected revision.
func (b bench) appendSingle(ctx context.Context, w workload) (float64, error) {
	defer b.discard(singleName)
	store, err := b.open(ctx, singleName, true)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	b.progress(fmt.Sprintf("%s: %d events, one per Append", NameAppendSingle, w.total))
	start := time.Now()
	for g, group := range w.groups {
		for i, e := range group {
			if _, err := store.Append(ctx, w.streams[g], event.Exact(event.Revision(i)), e); err != nil {
				return 0, err
			}
		}
	}
	return rate(w.total, time.Since(start)), store.Close()
}

// appendBatched appends 100 events per Append to a new stream each time.
func (b bench) appendBatched(ctx context.Context, w workload) (float64, error) {
	store, err := b.open(ctx, batchedName, true)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	b.progress(fmt.Sprintf("%s: %d events, %d per Append", NameAppendBatched, w.total, appendBatch))
	start := time.Now()
	for g, group := range w.groups {
		if _, err := store.Append(ctx, w.streams[g], event.NoStream(), group...); err != nil {
			return 0, err
		}
	}
	return rate(w.total, time.Since(start)), store.Close()
}

// readAll reopens the batched file and pages through it with ReadAll.
func (b bench) readAll(ctx context.Context, want int) (float64, error) {
	store, err := b.open(ctx, batchedName, false)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	b.progress(fmt.Sprintf("%s: reading %d events in default pages", NameReadAll, want))
	start := time.Now()
	var after event.Position
	n := 0
	for {
		page, err := store.ReadAll(ctx, after, 0)
		if err != nil {
			return 0, err
		}
		if len(page) == 0 {
			break
		}
		n += len(page)
		after = page[len(page)-1].Position
	}
	el := time.Since(start)
	if n != want {
		return 0, fmt.Errorf("read %d events, want %d", n, want)
	}
	return rate(n, el), store.Close()
}

// subscribeCatchUp reopens the batched file and subscribes from 0 until every
// event has arrived.
func (b bench) subscribeCatchUp(ctx context.Context, want int) (float64, error) {
	store, err := b.open(ctx, batchedName, false)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	b.progress(fmt.Sprintf("%s: subscribing from 0 to %d events", NameSubscribeCatch, want))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	sub, err := store.Subscribe(ctx, 0, event.Filter{})
	if err != nil {
		return 0, err
	}
	defer sub.Close()
	n := 0
	for range sub.Events() {
		if n++; n == want {
			break
		}
	}
	el := time.Since(start)
	if n != want {
		return 0, errors.Join(fmt.Errorf("subscription ended after %d of %d events", n, want), sub.Err())
	}
	if err := sub.Close(); err != nil {
		return 0, err
	}
	return rate(n, el), store.Close()
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		d = time.Nanosecond
	}
	return float64(n) / d.Seconds()
}
