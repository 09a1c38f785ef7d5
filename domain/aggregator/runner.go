package aggregator

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// ErrDiverged means replaying the log produced a decision other than the one
// recorded. Either the aggregator's config changed (confirmations) or its
// code stopped being deterministic; the runner stops rather than record a
// second, different truth.
var ErrDiverged = errors.New("aggregator decisions diverge from the recorded ones")

// decisionIDSpace seeds the ids of decision events, which are derived from
// the input that caused them so a replay proposes the very same events.
var decisionIDSpace = uuid.MustParse("9f7c9f57-6a43-4f0e-9d2a-7a1f3c1e5b10")

// inputTypes are the event types the aggregator takes.
var inputTypes = []string{"PinObserved", "PinRemoved", "ChainCheckpoint", "BatchReceived", "DataReceived",
	"BlobReceived", "GroupKnown"}

// maxAppend bounds how many decisions go into one append.
const maxAppend = 2048

// RunnerOptions configures a Runner.
type RunnerOptions struct {
	// OnIgnored is told about inputs the aggregator could not use (a
	// malformed event, a log out of order); the runner goes on. Optional.
	OnIgnored func(ev event.Event, err error)
	// OnRebuild is told when a reorg deeper than the window forces a rebuild
	// from the start of the log. Optional.
	OnRebuild func(err error)
	// OnStorageRetry is told each time decisions could not be recorded
	// because the store cannot write now (event.ErrStorageUnavailable);
	// the runner waits and tries again. Optional.
	OnStorageRetry func(err error)
}

// Runner feeds one namespace's Aggregator from the event store, in position
// order, and appends its decisions to AggregatorStream(namespace), with the
// input as causation. On start it replays the whole log: decisions already
// recorded are recognised by their derived ids and not appended again, so a
// restart never decides twice; decisions a crash lost are appended when the
// replay reaches the end of what was stored. The expected revision of the
// decision stream makes a second runner for the namespace fail instead of
// interleaving its decisions.
type Runner struct {
	store  event.Store
	cat    *catalogue.Catalogue
	cfg    Config
	opts   RunnerOptions
	stream string

	mu       sync.RWMutex
	agg      *Aggregator
	applied  event.Position
	applying event.Position // the input Apply is running for
	revision event.Revision
}

// NewRunner checks cfg and returns a runner; Run starts it.
func NewRunner(store event.Store, cat *catalogue.Catalogue, cfg Config, opts RunnerOptions) (*Runner, error) {
	cfg.SetDefaults()
	agg, err := New(cfg)
	if err != nil {
		return nil, err
	}
	return &Runner{store: store, cat: cat, cfg: cfg, opts: opts, stream: catalogue.AggregatorStream(cfg.Namespace), agg: agg}, nil
}

// Run processes the log until ctx is cancelled (it then returns nil) or
// something fails: the store, an append (ErrWrongRevision when another
// runner writes the namespace's decisions), or ErrDiverged.
func (r *Runner) Run(ctx context.Context) error {
	for {
		err := r.run(ctx)
		if !errors.Is(err, ErrReorgTooDeep) {
			return err
		}
		if r.opts.OnRebuild != nil {
			r.opts.OnRebuild(err)
		}
		r.cfg.ReorgWindow = Unlimited
		agg, nerr := New(r.cfg)
		if nerr != nil {
			return nerr
		}
		r.mu.Lock()
		r.agg, r.applied, r.revision = agg, 0, 0
		r.mu.Unlock()
	}
}

// pass is one replay-then-follow pass over the log.
type pass struct {
	live    bool
	head    event.Position
	pending []event.Proposed // replayed decisions not yet seen in the log
	buf     []event.Proposed // live decisions not yet appended
}

func (r *Runner) run(ctx context.Context) error {
	r.agg.UseContentSource(storeContent{ctx: ctx, store: r.store, cat: r.cat, applying: &r.applying})
	head, err := r.store.Head(ctx)
	if err != nil {
		return err
	}
	// Unfiltered, so the replay is sure to pass the head it started at;
	// events of other types are skipped without decoding.
	sub, err := r.store.Subscribe(ctx, 0, event.Filter{})
	if err != nil {
		return err
	}
	defer func() { _ = sub.Close() }()
	p := &pass{head: head, live: head == 0}
	events := sub.Events()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-events:
			if !ok {
				if err := sub.Err(); err != nil {
					return err
				}
				return nil
			}
			if err := r.handle(ctx, p, ev); err != nil {
				return err
			}
			if p.live && len(events) == 0 || len(p.buf) >= maxAppend {
				if err := r.flush(ctx, p); err != nil {
					return err
				}
			}
		}
	}
}

func (r *Runner) handle(ctx context.Context, p *pass, ev event.Event) error {
	if !slices.Contains(inputTypes, ev.Type) && ev.Stream != r.stream {
		return r.catchUp(ctx, p, ev.Position)
	}
	if ev.Stream == r.stream {
		r.mu.Lock()
		r.revision = max(r.revision, ev.Revision)
		r.mu.Unlock()
		if !p.live {
			if len(p.pending) == 0 || !sameDecision(ev, p.pending[0]) {
				return fmt.Errorf("%w: recorded decision %s (%s, position %d) is not the next one replayed", ErrDiverged, ev.ID, ev.Type, ev.Position)
			}
			p.pending = p.pending[1:]
		}
		return r.catchUp(ctx, p, ev.Position)
	}
	out, err := r.apply(ev)
	if errors.Is(err, ErrReorgTooDeep) {
		return err
	}
	if err != nil {
		if r.opts.OnIgnored != nil {
			r.opts.OnIgnored(ev, err)
		}
		return r.catchUp(ctx, p, ev.Position)
	}
	proposed, err := r.propose(ev, out)
	if err != nil {
		return err
	}
	if p.live {
		p.buf = append(p.buf, proposed...)
	} else {
		p.pending = append(p.pending, proposed...)
	}
	return r.catchUp(ctx, p, ev.Position)
}

func (r *Runner) apply(ev event.Event) ([]catalogue.Payload, error) {
	payload, err := r.cat.Decode(ev)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInputIgnored, err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.applying = ev.Position
	out, err := r.agg.Apply(payload)
	if err == nil || errors.Is(err, ErrInputIgnored) {
		r.applied = ev.Position
	}
	return out, err
}

// catchUp switches to live once the replay reaches the head the pass
// started at, appending the decisions a crash kept from being recorded.
func (r *Runner) catchUp(ctx context.Context, p *pass, at event.Position) error {
	if p.live || at < p.head {
		return nil
	}
	p.live = true
	p.buf, p.pending = p.pending, nil
	return r.flush(ctx, p)
}

func (r *Runner) propose(in event.Event, out []catalogue.Payload) ([]event.Proposed, error) {
	proposed := make([]event.Proposed, len(out))
	meta := event.Metadata{CorrelationID: in.Metadata.CorrelationID, CausationID: in.ID.String(), Namespace: r.cfg.Namespace}
	if meta.CorrelationID == "" {
		meta.CorrelationID = in.ID.String()
	}
	for i, p := range out {
		id := uuid.NewSHA1(decisionIDSpace, []byte(r.cfg.Namespace+"/"+in.ID.String()+"/"+strconv.Itoa(i)))
		var err error
		if proposed[i], err = r.cat.Encode(id, p, meta); err != nil {
			return nil, fmt.Errorf("aggregator produced an invalid %s: %w", p.EventType(), err)
		}
	}
	return proposed, nil
}

func (r *Runner) flush(ctx context.Context, p *pass) error {
	for len(p.buf) > 0 {
		n := min(len(p.buf), maxAppend)
		r.mu.RLock()
		rev := r.revision
		r.mu.RUnlock()
		var res event.AppendResult
		// A full or read-only disk pauses the aggregator; the decisions
		// are recorded once the store can write again.
		err := event.RetryStorage(ctx, func() error {
			var err error
			res, err = r.store.Append(ctx, r.stream, event.Exact(rev), p.buf[:n]...)
			return err
		}, r.opts.OnStorageRetry)
		if err != nil {
			return fmt.Errorf("recording %d decisions: %w", n, err)
		}
		r.mu.Lock()
		r.revision = res.Revision
		r.mu.Unlock()
		p.buf = p.buf[n:]
	}
	p.buf = nil
	return nil
}

// Applied is the position of the last input applied, for lag reporting.
func (r *Runner) Applied() event.Position {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.applied
}

// Parked implements View.
func (r *Runner) Parked(stuckOnly bool) []catalogue.PinParked {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.agg.Parked(stuckOnly)
}

// Contexts implements View.
func (r *Runner) Contexts() []ContextState {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.agg.Contexts()
}

// Digests implements View.
func (r *Runner) Digests() (Digests, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.agg.Digests()
}

// storeContent reads released batches back from the event store: those
// before the input being applied, which is what the aggregator had seen.
type storeContent struct {
	ctx      context.Context
	store    event.Store
	cat      *catalogue.Catalogue
	applying *event.Position
}

// ReceivedBatches implements ContentSource.
func (s storeContent) ReceivedBatches(id uuid.UUID) ([]catalogue.BatchReceived, error) {
	evs, err := s.store.ReadStream(s.ctx, catalogue.BatchStream(id), 0, 0)
	if err != nil {
		return nil, err
	}
	var out []catalogue.BatchReceived
	for _, ev := range evs {
		if ev.Type != "BatchReceived" || ev.Position >= *s.applying {
			continue
		}
		p, err := s.cat.Decode(ev)
		if err != nil {
			continue // it was ignored when first applied too
		}
		out = append(out, p.(catalogue.BatchReceived))
	}
	return out, nil
}

// sameDecision reports whether a recorded decision is the replayed one: same
// id (so the same input and index), type, version and data. Data is compared
// canonically, since a store may hand JSON back reformatted.
func sameDecision(recorded event.Event, replayed event.Proposed) bool {
	if recorded.ID != replayed.ID || recorded.Type != replayed.Type || recorded.Version != replayed.Version {
		return false
	}
	a, err := canonicaljson.Canonicalize(recorded.Data)
	if err != nil {
		return false
	}
	b, err := canonicaljson.Canonicalize(replayed.Data)
	return err == nil && bytes.Equal(a, b)
}
