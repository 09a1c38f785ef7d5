package delivery

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
)

// Progress reports how far each projector has applied the log: the
// projections runner, or the generation set that serves the read model.
type Progress interface {
	Positions() map[string]event.Position
}

// Options tune an Engine.
type Options struct {
	// PageSize is how many event rows a stream reads at once (default
	// 500): its read-ahead from the read model, and its memory bound.
	PageSize int
	// CommitInterval is how often the offsets of auto-acknowledged
	// streams are recorded (default 1s), and failed commits retried; an
	// explicit ack is recorded before Stream.Ack returns, and a stream's
	// offset when it closes. Auto-acknowledged events between two commits
	// are delivered again after a crash.
	CommitInterval time.Duration
	// PollInterval is how often the engine looks at the events projector's
	// position to wake waiting streams (default 5ms). It is an in-memory
	// read: the generation set that serves the read model swaps runners on
	// a rebuild, so there is no one runner to wait on.
	PollInterval time.Duration
}

func (o *Options) setDefaults() {
	if o.PageSize <= 0 {
		o.PageSize = 500
	}
	if o.CommitInterval <= 0 {
		o.CommitInterval = time.Second
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 5 * time.Millisecond
	}
}

// Engine opens delivery streams. Run must be running for streams to see
// new events and for offsets to be committed.
type Engine struct {
	rm       projections.Store
	progress Progress
	repo     subscription.Repository
	log      zerolog.Logger
	opts     Options

	mu sync.Mutex
	// advanced is closed (and replaced) when the events projector moves.
	advanced chan struct{}
	// active is the one stream of each named subscription.
	active map[subKey]*stream
	// offsets remembers the last offset of each subscription id whose
	// stream closed, so a reconnect resumes exactly there even before the
	// commit has been folded into the repository.
	offsets map[uuid.UUID]uint64
}

type subKey struct{ ns, name string }

var _ subscription.Streams = (*Engine)(nil)

// New returns an engine reading rm (the serving read model), woken by
// progress, with subscriptions from repo.
func New(rm projections.Store, progress Progress, repo subscription.Repository, log zerolog.Logger, opts Options) *Engine {
	opts.setDefaults()
	return &Engine{rm: rm, progress: progress, repo: repo, log: log.With().Str("component", "delivery").Logger(),
		opts: opts, advanced: make(chan struct{}), active: map[subKey]*stream{}, offsets: map[uuid.UUID]uint64{}}
}

// eventsProjector is the checkpoint key of the projector that writes the
// event list.
func eventsProjector() string { return projections.Events{}.Name() }

// Run wakes streams as the event list grows and commits offsets, until
// ctx ends (nil). Streams still open then commit when they close.
func (e *Engine) Run(ctx context.Context) error {
	poll := time.NewTicker(e.opts.PollInterval)
	defer poll.Stop()
	commit := time.NewTicker(e.opts.CommitInterval)
	defer commit.Stop()
	last := e.progress.Positions()[eventsProjector()]
	for {
		select {
		case <-ctx.Done():
			e.commitAll(context.WithoutCancel(ctx))
			return nil
		case <-poll.C:
			if p := e.progress.Positions()[eventsProjector()]; p != last {
				last = p
				e.mu.Lock()
				close(e.advanced)
				e.advanced = make(chan struct{})
				e.mu.Unlock()
			}
		case <-commit.C:
			e.commitAll(ctx)
		}
	}
}

// wake returns the channel closed at the next advance. Taken before a
// read, it cannot miss an advance that happens after the read.
func (e *Engine) wake() <-chan struct{} {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.advanced
}

func (e *Engine) commitAll(ctx context.Context) {
	e.mu.Lock()
	streams := make([]*stream, 0, len(e.active))
	for _, s := range e.active {
		streams = append(streams, s)
	}
	e.mu.Unlock()
	for _, s := range streams {
		s.commit(ctx)
	}
}

// Open implements subscription.Streams.
func (e *Engine) Open(ctx context.Context, req subscription.StreamRequest) (subscription.Stream, error) {
	if req.Name == "" {
		return e.openEphemeral(req)
	}
	sub, err := e.repo.Get(ctx, req.Namespace, req.Name)
	if err != nil {
		return nil, err
	}
	readAhead := sub.Options.ReadAhead
	if req.ReadAhead != 0 {
		if req.ReadAhead < 0 || req.ReadAhead > subscription.MaxReadAhead {
			return nil, fmt.Errorf("%w: readAhead %d is not between 1 and %d", subscription.ErrInvalid, req.ReadAhead,
				subscription.MaxReadAhead)
		}
		readAhead = req.ReadAhead
	}
	s := e.newStream(req.Namespace, sub.Name, sub.ID, sub.Filter, readAhead, sub.Options.WithData, req.AutoAck)
	e.mu.Lock()
	offset := max(sub.Offset, e.offsets[sub.ID])
	old := e.active[subKey{req.Namespace, req.Name}]
	e.active[subKey{req.Namespace, req.Name}] = s
	e.mu.Unlock()
	if old != nil {
		old.end(subscription.ErrTakenOver)
		// The old stream's acks count: resume after them.
		offset = max(offset, old.commit(ctx))
	}
	// The stream is in e.active already, where commitAll reads it.
	s.mu.Lock()
	s.committed = offset
	s.mu.Unlock()
	if req.After != nil {
		// Last-Event-ID: the client has everything up to After.
		offset = *req.After
	}
	s.start(offset)
	return s, nil
}

func (e *Engine) openEphemeral(req subscription.StreamRequest) (subscription.Stream, error) {
	filter, opts, err := subscription.Ephemeral(req.Namespace, req.Filter, req.Options)
	if err != nil {
		return nil, err
	}
	if req.ReadAhead != 0 {
		opts.ReadAhead = req.ReadAhead
	}
	var offset uint64
	if req.After != nil {
		offset = *req.After
	} else if offset, err = subscription.Resolve(opts.FirstEvent, uint64(e.progress.Positions()[eventsProjector()])); err != nil {
		return nil, err
	}
	s := e.newStream(req.Namespace, "", uuid.Nil, filter, opts.ReadAhead, opts.WithData, req.AutoAck)
	s.start(offset)
	return s, nil
}

// closed is told by a named stream that it has ended, with its offset.
func (e *Engine) closed(s *stream, offset uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.active[subKey{s.ns, s.name}] == s {
		delete(e.active, subKey{s.ns, s.name})
	}
	e.offsets[s.id] = max(e.offsets[s.id], offset)
}

// record commits one offset durably, logging (not returning) a failure:
// the next commit carries a later offset anyway.
func (e *Engine) record(ctx context.Context, s *stream, offset uint64) bool {
	err := e.repo.CommitOffset(ctx, s.ns, s.name, s.id, offset)
	switch {
	case err == nil:
		return true
	case errors.Is(err, subscription.ErrNotFound):
		s.end(err)
	default:
		e.log.Warn().Err(err).Str("namespace", s.ns).Str("subscription", s.name).Uint64("offset", offset).
			Msg("committing a subscription offset failed; the next commit retries")
	}
	return false
}
