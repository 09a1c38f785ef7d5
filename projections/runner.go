package projections

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// RunnerOptions tune a Runner.
type RunnerOptions struct {
	// BatchSize bounds the events one transaction applies. Default 1000.
	BatchSize int
	// CatchUpBatchSize bounds the events of one transaction while Run
	// catches up with the events the store held when it started (a rebuild,
	// a restart after downtime). Default 5,000: a transaction writes each
	// page it changed once, and catching up changes the same pages of the
	// same rows (a message submitted, sealed, confirmed) again and again;
	// but it holds the batch's events and documents in memory. 20,000 were
	// ~5% faster and 70 MB more at the peak of a 200,000-event rebuild.
	CatchUpBatchSize int
	// FlushDelay is how long live events gather before they are committed
	// (unless BatchSize fill first). Default 25 ms: a busy node commits a
	// few dozen times a second instead of once per event, and rows written
	// several times in that span (a message's state) are written once.
	FlushDelay time.Duration
	// OnSkipped is told about an event the catalogue cannot decode; the
	// runner goes on (the event is skipped the same way on every replay).
	OnSkipped func(ev event.Event, err error)
	// OnStorageRetry is told each time a batch could not be written
	// because the read model's storage cannot write now; Run waits and
	// tries the batch again.
	OnStorageRetry func(err error)
}

// catchUpDelay is the longest a catch-up batch waits for more events.
const catchUpDelay = 5 * time.Second

// Runner feeds projectors from the event store, in position order, and
// commits their rows with their checkpoints: in batches while catching up,
// at once when live.
type Runner struct {
	store event.Store
	rm    Store
	cat   *catalogue.Catalogue
	projs []Projector
	opts  RunnerOptions

	mu      sync.RWMutex
	applied map[string]event.Position
	wake    []chan struct{}
}

// NewRunner returns a runner of projs over the store, writing to rm.
func NewRunner(store event.Store, rm Store, cat *catalogue.Catalogue, opts RunnerOptions, projs ...Projector) (*Runner, error) {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.CatchUpBatchSize <= 0 {
		opts.CatchUpBatchSize = 5_000
	}
	if opts.FlushDelay <= 0 {
		opts.FlushDelay = 25 * time.Millisecond
	}
	seen := map[string]bool{}
	for _, p := range projs {
		if seen[p.Name()] {
			return nil, fmt.Errorf("two projectors named %s", p.Name())
		}
		seen[p.Name()] = true
	}
	return &Runner{store: store, rm: rm, cat: cat, projs: projs, opts: opts, applied: map[string]event.Position{}}, nil
}

// Run projects until ctx ends (nil) or the store or read model fails.
func (r *Runner) Run(ctx context.Context) error {
	cps, err := r.rm.Checkpoints(ctx)
	if err != nil {
		return fmt.Errorf("reading checkpoints: %w", err)
	}
	from := event.Position(0)
	for i, p := range r.projs {
		if i == 0 || cps[p.Name()] < from {
			from = cps[p.Name()]
		}
	}
	r.mu.Lock()
	for _, p := range r.projs {
		r.applied[p.Name()] = cps[p.Name()]
	}
	r.mu.Unlock()
	// Until it reaches the head the store has now, the runner is catching
	// up: it applies full catch-up batches without waiting to gather more.
	head, err := r.store.Head(ctx)
	if err != nil {
		return fmt.Errorf("reading the event store's head: %w", err)
	}
	sub, err := r.store.Subscribe(ctx, from, event.Filter{})
	if err != nil {
		return err
	}
	defer func() { _ = sub.Close() }()
	// The decoder stops with Run, whichever way Run returns.
	decodeCtx, stopDecoding := context.WithCancel(ctx)
	defer stopDecoding()
	events := r.decodeAhead(decodeCtx, sub.Events())
	var batch []event.Event
	var flush <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-flush:
			flush = nil
			if err := r.applyRetrying(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		case ev, ok := <-events:
			if !ok {
				if err := sub.Err(); err != nil && !errors.Is(err, context.Canceled) {
					return err
				}
				return nil
			}
			batch = append(batch, ev)
			if ev.Position < head {
				if len(batch) < r.opts.CatchUpBatchSize {
					// In case the head never arrives (a store whose
					// positions skip), the batch still goes in.
					if flush == nil {
						flush = time.After(catchUpDelay)
					}
					continue
				}
			} else if len(batch) < r.opts.BatchSize && ev.Position > head {
				if flush == nil {
					flush = time.After(r.opts.FlushDelay)
				}
				continue
			}
			flush = nil
			if err := r.applyRetrying(ctx, batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
}

// decodeAheadBuffer is how many decoded events decodeAhead may hold ahead
// of the batch being applied: a fifth of a catch-up batch.
const decodeAheadBuffer = 1024

// decodeAhead passes the subscription's events on, each with its payload
// decoded into its Memo (one is attached to an event read from the file,
// which has none) when a projector takes its type. It runs on its own
// goroutine, so while catching up the next events are decoded on the other
// core while a batch is written: decoding was ~8% of a rebuild's time on
// the one core it ran on (the 200,000-event rebuild of `bench query` went
// ~2.5% faster; e2e throughput did not move). apply's Decode then finds
// the payload, or the same error, in the Memo. The channel closes when
// events does or ctx ends.
func (r *Runner) decodeAhead(ctx context.Context, events <-chan event.Event) <-chan event.Event {
	wanted := map[string]bool{}
	for _, p := range r.projs {
		for _, t := range p.Types() {
			wanted[t] = true
		}
	}
	out := make(chan event.Event, decodeAheadBuffer)
	go func() {
		defer close(out)
		for ev := range events {
			if wanted[ev.Type] {
				if ev.Memo == nil {
					ev.Memo = new(event.Memo)
				}
				_, _ = r.cat.Decode(ev) // memoised, error included, for apply
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}

// applyRetrying applies a batch, waiting while the read model cannot be
// written (a full or read-only disk: event.ErrStorageUnavailable) rather
// than stopping; the batch goes in whole once it can. It returns nil when
// ctx ends first.
func (r *Runner) applyRetrying(ctx context.Context, batch []event.Event) error {
	err := event.RetryStorage(ctx, func() error { return r.apply(ctx, batch) }, func(err error) {
		if r.opts.OnStorageRetry != nil {
			r.opts.OnStorageRetry(err)
		}
	})
	if ctx.Err() != nil {
		return nil //nolint:nilerr // stopping: the batch is applied again on the next run
	}
	return err
}

// ApplyEvents projects events (in position order, each after the
// projectors' checkpoints or skipped) in one transaction. Run calls it for
// every batch; tools and tests that have the events already call it
// directly.
func (r *Runner) ApplyEvents(ctx context.Context, events []event.Event) error {
	if len(events) == 0 {
		return nil
	}
	r.mu.RLock()
	loaded := len(r.applied) == len(r.projs)
	r.mu.RUnlock()
	if !loaded {
		cps, err := r.rm.Checkpoints(ctx)
		if err != nil {
			return fmt.Errorf("reading checkpoints: %w", err)
		}
		r.mu.Lock()
		for _, p := range r.projs {
			r.applied[p.Name()] = cps[p.Name()]
		}
		r.mu.Unlock()
	}
	return r.apply(ctx, events)
}

// apply projects a batch of events in one transaction.
func (r *Runner) apply(ctx context.Context, batch []event.Event) error {
	tx, err := r.rm.Begin(ctx)
	if err != nil {
		return err
	}
	r.mu.RLock()
	applied := make(map[string]event.Position, len(r.applied))
	for k, v := range r.applied {
		applied[k] = v
	}
	r.mu.RUnlock()
	// Projectors see tx through a cache of the documents they decode and
	// write in it (docCachingTx), gone with the transaction.
	ptx := newDocCachingTx(tx)
	for _, ev := range batch {
		var payload catalogue.Payload
		for _, p := range r.projs {
			if ev.Position <= applied[p.Name()] || !slices.Contains(p.Types(), ev.Type) {
				continue
			}
			if payload == nil {
				if payload, err = r.cat.Decode(ev); err != nil {
					if r.opts.OnSkipped != nil {
						r.opts.OnSkipped(ev, err)
					}
					break
				}
			}
			if err := p.Apply(ptx, ev, payload); err != nil {
				_ = tx.Rollback()
				return fmt.Errorf("projector %s at position %d (%s): %w", p.Name(), ev.Position, ev.Type, err)
			}
		}
	}
	last := batch[len(batch)-1].Position
	for _, p := range r.projs {
		if applied[p.Name()] < last {
			if err := tx.SetCheckpoint(p.Name(), last); err != nil {
				_ = tx.Rollback()
				return err
			}
			applied[p.Name()] = last
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	r.mu.Lock()
	r.applied = applied
	wake := r.wake
	r.wake = nil
	r.mu.Unlock()
	for _, w := range wake {
		close(w)
	}
	return nil
}

// Positions returns each projector's applied position.
func (r *Runner) Positions() map[string]event.Position {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make(map[string]event.Position, len(r.applied))
	for k, v := range r.applied {
		out[k] = v
	}
	return out
}

// WaitFor waits until every projector has applied pos (or ctx ends): a
// caller that just wrote an event can read its own write.
func (r *Runner) WaitFor(ctx context.Context, pos event.Position) error {
	for {
		r.mu.Lock()
		// Until Run or ApplyEvents has loaded the checkpoints, nothing is
		// known to be applied.
		done := len(r.applied) == len(r.projs)
		for _, p := range r.applied {
			if p < pos {
				done = false
				break
			}
		}
		if done {
			r.mu.Unlock()
			return nil
		}
		w := make(chan struct{})
		r.wake = append(r.wake, w)
		r.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w:
		}
	}
}
