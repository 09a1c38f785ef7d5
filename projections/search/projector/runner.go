package projector

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// Version is the version of what this package indexes: bump it when that
// changes.
const Version = "search.v2"

// Name is the projector's checkpoint key in the index: its Version and the
// names of the read-model projectors its documents come from
// ("search.v2-messages.v2-data.v1"). A change of any of them, its own
// output or theirs, makes a new key, so the index is filled again from
// position 0 with documents of the new rows.
var Name = Version + "-" + strings.Join(sources, "-")

// Options tune a Runner.
type Options struct {
	// Progress tells how far the read-model projections have applied the
	// log (the projections.Runner that writes rm): a batch is indexed once
	// they have applied it. Nil: the read model's durable checkpoints are
	// polled instead (a read model being rebuilt by another process, or
	// one already complete).
	Progress Progress
	// BatchSize bounds the events of one batch. Default 1000.
	BatchSize int
	// FlushDelay is how long live events gather before they are indexed.
	// Default 1 s, as Elasticsearch's refresh interval: a message is
	// touched by its arrival and again by its confirmation, usually within
	// the second, and is then indexed once; and each indexed batch makes
	// the engine write (and later merge) a segment. At 25 ms the indexer
	// took about a fifth of a busy node's CPU (bench e2e profile).
	FlushDelay time.Duration
	// RetryMin and RetryMax bound the back-off after a failed batch.
	// Defaults 100 ms and 10 s.
	RetryMin, RetryMax time.Duration
	// Log receives skipped events and retried failures.
	Log zerolog.Logger
}

// Runner indexes the documents that events touch (see the package doc).
type Runner struct {
	idx   search.Index
	rm    projections.Store
	store event.Store
	cat   *catalogue.Catalogue
	opts  Options

	mu      sync.Mutex
	applied event.Position
	wake    []chan struct{}

	// applying serialises Apply, the only user of texts.
	applying sync.Mutex
	texts    textCache
}

// New returns a runner that fills idx from store's events and rm's rows.
// To fill a fresh index, give it an empty index: it starts from position 0.
func New(idx search.Index, rm projections.Store, store event.Store, cat *catalogue.Catalogue, opts Options) *Runner {
	if opts.BatchSize <= 0 {
		opts.BatchSize = 1000
	}
	if opts.FlushDelay <= 0 {
		opts.FlushDelay = time.Second
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = 100 * time.Millisecond
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(10*time.Second, opts.RetryMin)
	}
	opts.Log = opts.Log.With().Str("component", "search").Str("projector", Name).Logger()
	return &Runner{idx: idx, rm: rm, store: store, cat: cat, opts: opts}
}

// Run indexes from the index's checkpoint until ctx ends (nil), the
// subscription fails or the index is closed.
func (r *Runner) Run(ctx context.Context) error {
	from, err := r.checkpoint(ctx)
	if err != nil || ctx.Err() != nil {
		return err
	}
	r.setApplied(event.Position(from))
	sub, err := r.store.Subscribe(ctx, event.Position(from), event.Filter{})
	if err != nil {
		return err
	}
	defer func() { _ = sub.Close() }()
	var batch []event.Event
	var flush <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-flush:
			flush = nil
			if err := r.applyRetrying(ctx, batch, true); err != nil {
				return err
			}
			batch = batch[:0]
		case ev, ok := <-sub.Events():
			if !ok {
				if err := sub.Err(); err != nil && !errors.Is(err, context.Canceled) {
					return err
				}
				return nil
			}
			batch = append(batch, ev)
			if len(batch) < r.opts.BatchSize {
				if flush == nil {
					flush = time.After(r.opts.FlushDelay)
				}
				continue
			}
			flush = nil
			if err := r.applyRetrying(ctx, batch, false); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
}

// checkpoint reads the index's checkpoint, retrying failures other than a
// closed index until ctx ends (then 0 and nil).
func (r *Runner) checkpoint(ctx context.Context) (uint64, error) {
	wait := r.opts.RetryMin
	for {
		from, err := r.idx.Checkpoint(ctx, Name)
		switch {
		case err == nil:
			return from, nil
		case ctx.Err() == nil && errors.Is(err, search.ErrClosed):
			return 0, fmt.Errorf("search projector: reading the checkpoint: %w", err)
		case ctx.Err() == nil:
			r.opts.Log.Warn().Err(err).Dur("retryIn", wait).Msg("reading the search checkpoint failed; retrying")
		}
		select {
		case <-ctx.Done():
			return 0, nil
		case <-time.After(wait):
		}
		wait = min(2*wait, r.opts.RetryMax)
	}
}

// applyRetrying applies a batch until it succeeds, ctx ends (nil) or the
// failure is one a retry cannot mend.
func (r *Runner) applyRetrying(ctx context.Context, batch []event.Event, live bool) error {
	wait := r.opts.RetryMin
	for {
		err := r.Apply(ctx, batch, live)
		switch {
		case err == nil:
			return nil
		case ctx.Err() == nil && (errors.Is(err, search.ErrClosed) || errors.Is(err, search.ErrInvalidDocument)):
			return fmt.Errorf("search projector: %w", err)
		case ctx.Err() == nil:
			r.opts.Log.Warn().Err(err).Uint64("from", uint64(batch[0].Position)).Uint64("to", uint64(batch[len(batch)-1].Position)).
				Dur("retryIn", wait).Msg("indexing failed; retrying")
		}
		select {
		case <-ctx.Done():
			// Stopping: whatever the batch's fate, it is indexed again
			// from the checkpoint at the next start.
			return nil
		case <-time.After(wait):
		}
		wait = min(2*wait, r.opts.RetryMax)
	}
}

// Apply indexes the documents the events touch (in position order), once
// the read model has applied them, and records the last position as the
// checkpoint. Run calls it for every batch; tools and tests that have the
// events call it directly. live makes the documents searchable before it
// returns (Index.Flush), which a catch-up leaves to the engine.
func (r *Runner) Apply(ctx context.Context, events []event.Event, live bool) error {
	if len(events) == 0 {
		return nil
	}
	r.applying.Lock()
	defer r.applying.Unlock()
	var touched touchedSet
	for _, ev := range events {
		if !eventTypes[ev.Type] {
			continue
		}
		p, err := r.cat.Decode(ev)
		if err != nil {
			// The projections skip it the same way: there is no row.
			r.opts.Log.Warn().Uint64("position", uint64(ev.Position)).Str("type", ev.Type).Err(err).Msg("search projector skipped an event")
			continue
		}
		touched.touch(p)
	}
	last := events[len(events)-1].Position
	for _, k := range touched.keys {
		if k.kind == search.Data {
			r.texts.forget(k)
		}
	}
	if len(touched.keys) > 0 {
		if err := r.waitReadModel(ctx, last); err != nil {
			return err
		}
		docs, err := r.documents(ctx, touched.keys)
		if err != nil {
			return err
		}
		if ci, ok := r.idx.(search.CheckpointingIndex); ok {
			// One write for both; Flush after the checkpoint is as good,
			// since Apply has not returned yet.
			if err := ci.IndexWithCheckpoint(ctx, Name, uint64(last), docs...); err != nil {
				return fmt.Errorf("indexing %d documents: %w", len(docs), err)
			}
			if live {
				if err := r.idx.Flush(ctx); err != nil {
					return err
				}
			}
			r.setApplied(last)
			return nil
		}
		if err := r.idx.Index(ctx, docs...); err != nil {
			return fmt.Errorf("indexing %d documents: %w", len(docs), err)
		}
		if live {
			if err := r.idx.Flush(ctx); err != nil {
				return err
			}
		}
	}
	if err := r.idx.SetCheckpoint(ctx, Name, uint64(last)); err != nil {
		return err
	}
	r.setApplied(last)
	return nil
}

// documents builds the documents of keys; one the read model does not have
// or that the index would refuse is left out (and logged), the same way on
// every replay.
func (r *Runner) documents(ctx context.Context, keys []docKey) ([]search.Document, error) {
	b := builder{rm: r.rm, texts: &r.texts}
	if err := b.prefetch(ctx, keys); err != nil {
		return nil, err
	}
	docs := make([]search.Document, 0, len(keys))
	for _, k := range keys {
		d, found, err := b.document(ctx, k)
		if err != nil {
			return nil, err
		}
		if !found {
			continue
		}
		if err := d.Validate(); err != nil {
			r.opts.Log.Warn().Str("namespace", k.ns).Str("kind", string(k.kind)).Str("id", k.id.String()).Err(err).
				Msg("search projector left out a document the index refuses")
			continue
		}
		docs = append(docs, d)
	}
	return docs, nil
}

func (r *Runner) setApplied(pos event.Position) {
	r.mu.Lock()
	r.applied = pos
	wake := r.wake
	r.wake = nil
	r.mu.Unlock()
	for _, w := range wake {
		close(w)
	}
}

// Positions returns the position the projector has indexed, under Name:
// the shape of projections.Runner.Positions, for the node's status.
func (r *Runner) Positions() map[string]event.Position {
	r.mu.Lock()
	defer r.mu.Unlock()
	return map[string]event.Position{Name: r.applied}
}

// WaitFor waits until the projector has indexed pos (or ctx ends).
func (r *Runner) WaitFor(ctx context.Context, pos event.Position) error {
	for {
		r.mu.Lock()
		if r.applied >= pos {
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
