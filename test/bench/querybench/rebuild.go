package querybench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	evsqlite "github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
)

// fillStore appends the first n events of the workload's log to a new
// SQLite event store at path, each run of events of one stream in one
// Append, as the node appends them, and returns the store.
func (b *bench) fillStore(ctx context.Context, w *workload, path string, n int) (_ *evsqlite.Store, err error) {
	store, err := evsqlite.Open(ctx, evsqlite.Config{Path: path}, zerolog.Nop())
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = store.Close()
		}
	}()
	genesis, err := w.genesis()
	if err != nil {
		return nil, err
	}
	appended := 0
	appendAll := func(evs []proposal) error {
		for len(evs) > 0 && appended < n {
			run := 1
			for run < len(evs) && evs[run].stream == evs[0].stream && appended+run < n {
				run++
			}
			props := make([]event.Proposed, run)
			for i := range props {
				props[i] = evs[i].Proposed
			}
			if _, err := store.Append(ctx, evs[0].stream, event.Any(), props...); err != nil {
				return fmt.Errorf("appending to %s: %w", evs[0].stream, err)
			}
			appended += run
			evs = evs[run:]
		}
		return nil
	}
	if err := appendAll(genesis); err != nil {
		return nil, err
	}
	genCtx, stop := context.WithCancel(ctx)
	defer stop()
	var genErr error
	batches := w.produce(genCtx, &genErr)
	start, report := time.Now(), time.Now()
	for appended < n {
		evs, ok := <-batches
		if !ok {
			return nil, errors.Join(genErr, ctx.Err(), errors.New("the workload ended early"))
		}
		if err := appendAll(evs); err != nil {
			return nil, err
		}
		if time.Since(report) > 5*time.Second {
			report = time.Now()
			b.progress(fmt.Sprintf("event store: %d of %d events (%.0f events/s)", appended, n, rate(appended, time.Since(start))))
		}
	}
	b.progress(fmt.Sprintf("event store: %d events appended in %s", appended, time.Since(start).Round(time.Millisecond)))
	return store, nil
}

// rebuild measures query.rebuild: every projector of projections.All, run
// by a projections.Runner from position 0 of a store of Options.Events
// events into a new SQLite read model, as a rebuild does (secondary indexes
// deferred, then built), until the read model is whole and indexed.
func (b *bench) rebuild(ctx context.Context) (float64, error) {
	w, err := newWorkload(true)
	if err != nil {
		return 0, err
	}
	storePath := filepath.Join(b.opts.Dir, "events.db")
	defer removeDB(storePath)
	store, err := b.fillStore(ctx, w, storePath, b.opts.Events)
	if err != nil {
		return 0, err
	}
	defer func() { _ = store.Close() }()
	head, err := store.Head(ctx)
	if err != nil {
		return 0, err
	}

	rmPath := filepath.Join(b.opts.Dir, "rebuild.db")
	defer removeDB(rmPath)
	rm, err := rmsqlite.Open(ctx, rmsqlite.Config{Path: rmPath, DeferIndexes: true}, projections.Tables(), zerolog.Nop())
	if err != nil {
		return 0, err
	}
	defer func() { _ = rm.Close() }()
	var skipped atomic.Int64
	runner, err := projections.NewRunner(store, rm, catalogue.Default(), projections.RunnerOptions{
		OnSkipped: func(event.Event, error) { skipped.Add(1) },
	}, projections.All()...)
	if err != nil {
		return 0, err
	}

	b.progress(fmt.Sprintf("%s: projecting %d events into a new read model", NameRebuild, head))
	if b.opts.CPUProfile != nil {
		if err := pprof.StartCPUProfile(b.opts.CPUProfile); err != nil {
			return 0, err
		}
		defer pprof.StopCPUProfile()
	}
	start, cpu0 := time.Now(), cpuTime()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	ran := make(chan error, 1)
	go func() { ran <- runner.Run(runCtx) }()
	caughtUp := make(chan error, 1)
	go func() { caughtUp <- runner.WaitFor(runCtx, head) }()
	select {
	case err := <-caughtUp:
		if err != nil {
			return 0, err
		}
	case err := <-ran:
		return 0, errors.Join(errors.New("the runner stopped before it caught up"), err)
	}
	stop()
	if err := <-ran; err != nil {
		return 0, err
	}
	projected := time.Since(start)
	if err := rm.BuildIndexes(ctx); err != nil {
		return 0, err
	}
	took := time.Since(start)
	if n := skipped.Load(); n > 0 {
		return 0, fmt.Errorf("the runner skipped %d events it could not decode", n)
	}
	// On a shared machine the wall clock counts other processes' turns too:
	// the process's own CPU time says what the rebuild cost.
	cpu := cpuTime() - cpu0
	b.progress(fmt.Sprintf("%s: projected in %s (%.0f events/s), indexes built in %s; %s of CPU (%.0f events per CPU second)",
		NameRebuild, projected.Round(time.Millisecond), rate(int(head), projected), (took - projected).Round(time.Millisecond),
		cpu.Round(time.Millisecond), rate(int(head), cpu)))
	return rate(int(head), took), nil
}
