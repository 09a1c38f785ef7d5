package querybench

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/rs/zerolog"

	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
)

// applyChunk is the number of events the fill hands the runner at a time,
// one transaction each.
const applyChunk = 10_000

// filled is the read model the queries run on and what they can ask for.
type filled struct {
	rm      *rmsqlite.Store
	path    string
	batches uint64         // batches in the log
	head    event.Position // its last event
}

// fillReadModel builds the read model of a log of Options.Messages
// messages, all confirmed, with the real projectors and runner. The events
// go straight from the generator to Runner.ApplyEvents, as a tool that has
// the events already does: the event store's part is what query.rebuild
// measures, and it would only lengthen the run here.
func (b *bench) fillReadModel(ctx context.Context) (_ *filled, err error) {
	w, err := newWorkload(false)
	if err != nil {
		return nil, err
	}
	f := &filled{path: filepath.Join(b.opts.Dir, "query.db")}
	if f.rm, err = rmsqlite.Open(ctx, rmsqlite.Config{Path: f.path, DeferIndexes: true}, projections.Tables(), zerolog.Nop()); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			_ = f.rm.Close()
			removeDB(f.path)
		}
	}()
	var skipped error
	runner, err := projections.NewRunner(nil, f.rm, catalogue.Default(), projections.RunnerOptions{
		OnSkipped: func(ev event.Event, decodeErr error) {
			skipped = errors.Join(skipped, fmt.Errorf("event %d (%s) does not decode: %w", ev.Position, ev.Type, decodeErr))
		},
	}, projections.All()...)
	if err != nil {
		return nil, err
	}
	var pending []event.Event
	flush := func() error {
		if len(pending) == 0 {
			return nil
		}
		applyErr := runner.ApplyEvents(ctx, pending)
		pending = pending[:0]
		return errors.Join(applyErr, skipped)
	}
	add := func(evs []proposal, at time.Time) error {
		for _, p := range evs {
			f.head++
			pending = append(pending, event.Event{ID: p.ID, Stream: p.stream, Position: f.head, Type: p.Type,
				Version: p.Version, Recorded: at, Data: p.Data, Metadata: p.Metadata})
		}
		if len(pending) >= applyChunk {
			return flush()
		}
		return nil
	}
	genesis, err := w.genesis()
	if err != nil {
		return nil, err
	}
	if err := add(genesis, epoch); err != nil {
		return nil, err
	}

	full, rest := uint64(b.opts.Messages/perBatch), b.opts.Messages%perBatch //nolint:gosec // validated positive
	genCtx, stop := context.WithCancel(ctx)
	defer stop()
	var genErr error
	batches := w.produce(genCtx, &genErr)
	start, report := time.Now(), time.Now()
	for seq := range full {
		evs, ok := <-batches
		if !ok {
			return nil, errors.Join(genErr, ctx.Err(), errors.New("the workload ended early"))
		}
		// The node records a batch's events a moment after it was sent.
		if err := add(evs, created(seq).Add(time.Second)); err != nil {
			return nil, err
		}
		if time.Since(report) > 5*time.Second {
			report = time.Now()
			b.progress(fmt.Sprintf("read model: %d of %d messages (%.0f events/s)", seq*perBatch, b.opts.Messages, rate(int(f.head), time.Since(start))))
		}
	}
	stop()
	f.batches = full
	if rest > 0 {
		evs, err := w.batch(full, rest, true)
		if err != nil {
			return nil, err
		}
		if err := add(evs, created(full).Add(time.Second)); err != nil {
			return nil, err
		}
		f.batches++
	}
	if err := flush(); err != nil {
		return nil, err
	}
	projected := time.Since(start)
	if err := f.rm.BuildIndexes(ctx); err != nil {
		return nil, err
	}
	b.progress(fmt.Sprintf("read model: %d messages (%d events) projected in %s, indexed in %s", b.opts.Messages, f.head,
		projected.Round(time.Millisecond), (time.Since(start) - projected).Round(time.Millisecond)))
	return f, nil
}

func (f *filled) close() {
	_ = f.rm.Close()
	removeDB(f.path)
}
