package querybench

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// applyChunk is the number of events the fill hands the runner at a time,
// one transaction each.
const applyChunk = 10_000

// filled is the read model the queries run on and what they can ask for.
type filled struct {
	rm      projections.Store
	batches uint64         // batches in the log
	head    event.Position // its last event
}

// openSQLite opens a new SQLite read model at path with every projection's
// table and the indexes deferred.
func openSQLite(ctx context.Context, path string) (*rmsqlite.Store, error) {
	return rmsqlite.Open(ctx, rmsqlite.Config{Path: path, DeferIndexes: true}, projections.Tables(), zerolog.Nop())
}

// fillReadModel projects the log of n messages, all confirmed, into rm
// (empty, its indexes deferred) with the real projectors and runner, then
// builds rm's indexes. The events go straight from the generator to
// Runner.ApplyEvents, as a tool that has the events already does: the event
// store's part is what query.rebuild measures, and it would only lengthen
// the run here.
func fillReadModel(ctx context.Context, rm ReadModel, n int, progress func(string)) (*filled, error) {
	w, err := newWorkload(false)
	if err != nil {
		return nil, err
	}
	f := &filled{rm: rm}
	var skipped error
	runner, err := projections.NewRunner(nil, rm, catalogue.Default(), projections.RunnerOptions{
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

	full, rest := uint64(n/perBatch), n%perBatch //nolint:gosec // validated positive
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
			progress(fmt.Sprintf("read model: %d of %d messages (%.0f events/s)", seq*perBatch, n, rate(int(f.head), time.Since(start))))
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
	progress(fmt.Sprintf("read model: %d messages (%d events) projected in %s; building the indexes", n, f.head,
		projected.Round(time.Millisecond)))
	if err := rm.BuildIndexes(ctx); err != nil {
		return nil, err
	}
	progress(fmt.Sprintf("read model: indexed in %s", (time.Since(start) - projected).Round(time.Millisecond)))
	// A read model the projectors silently left short would flatter every
	// figure measured on it.
	q, qerr := query.Parse(projections.MessagesTable.Collection(), map[string][]string{"count": {"true"}, "limit": {"1"}})
	if qerr != nil {
		return nil, qerr
	}
	if _, total, err := rm.Find(ctx, projections.MessagesTable, namespace, q); err != nil {
		return nil, err
	} else if total != n {
		return nil, fmt.Errorf("the read model holds %d messages, not %d", total, n)
	}
	return f, nil
}
