package generation

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Start starts a rebuild beside the serving generation and returns its
// status at once; Status follows it. projection names the projector asked
// for ("" for all); the whole generation is rebuilt either way. It fails
// with ErrRunning while a rebuild runs, ErrUnknownProjection for a name
// the node does not have, and ErrNotRunning unless Run is running.
//
// The rebuild resumes the partial generation an interrupted or failed
// rebuild left, or else creates the next one; it runs the components'
// runners over it from their checkpoints (position 0 when new) with their
// bulk load on, seals it once it has caught up with the serving
// generation, and, caught up again, records it in the pointer file and
// swaps it in: from then on Store reads it, the old runners stop, and the
// old generation is closed (after the reads in progress) and removed.
func (s *Set) Start(projection string) (Status, error) {
	if err := s.cfg.checkProjection(projection); err != nil {
		return s.Status(), err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.runCtx == nil || s.closed {
		return s.statusLocked(), ErrNotRunning
	}
	if s.rebuild != nil {
		if st := s.rebuild.snapshot(); st.State.active() {
			return st, ErrRunning
		}
	}
	p, n, resume, err := plan(&s.cfg)
	if err != nil {
		return s.statusLocked(), err
	}
	now := time.Now().UTC()
	rb := newProgress(Status{State: StateRunning, Serving: p.Serving, Generation: n, Projection: projection,
		Resumed: resume, Started: &now}, nil)
	s.rebuild = rb
	if s.cancel != nil {
		s.cancel() // the previous rebuild's, which has ended: releases its context
	}
	ctx, cancel := context.WithCancel(s.runCtx)
	s.cancel, s.done = cancel, make(chan struct{})
	s.cfg.Log.Info().Uint64("generation", n).Uint64("serving", p.Serving).Bool("resumed", resume).
		Str("projection", projection).Msg("rebuild started")
	go s.runRebuild(ctx, s.runCtx, rb, n, resume, s.done)
	return rb.snapshot(), nil
}

func (s *Set) statusLocked() Status {
	if s.rebuild == nil {
		n := s.serving.Load().n
		return Status{State: StateIdle, Serving: n, Generation: n}
	}
	return s.rebuild.snapshot()
}

// runRebuild is Start's goroutine. ctx is the rebuild's; the new
// generation's runners run under runCtx (Run's), since they go on serving
// after the swap.
func (s *Set) runRebuild(ctx, runCtx context.Context, rb *progress, n uint64, resume bool, done chan struct{}) {
	defer close(done)
	g, resumed, err := openBuilding(ctx, &s.cfg, n, resume)
	if err != nil {
		end(s.cfg.Log, rb, ctx, err)
		return
	}
	rb.update(func(st *Status) { st.Resumed = resumed })
	s.mu.Lock()
	s.building = g
	g.start(runCtx, s.runnerStopped)
	s.mu.Unlock()
	// Caught up means as far as the serving generation: the new one then
	// answers at least as freshly as the one it replaces.
	target := func(head event.Position) event.Position { return min(head, s.serving.Load().position()) }
	err = catchUp(ctx, &s.cfg, g, rb, target)
	if err == nil {
		err = s.swap(g, rb)
	}
	if err != nil {
		g.stop()
		if cerr := g.close(); cerr != nil {
			s.cfg.Log.Warn().Err(cerr).Uint64("generation", n).Msg("closing the partial generation")
		}
		s.mu.Lock()
		s.building = nil
		s.mu.Unlock()
		end(s.cfg.Log, rb, ctx, err)
	}
}

// swap makes g the serving generation: first in the pointer file (the
// commit point: a crash after it restarts on g), then for readers, then
// the old generation is stopped, closed once its reads are over, and
// removed.
func (s *Set) swap(g *gen, rb *progress) error {
	old := s.serving.Load()
	if err := writePointer(s.cfg.Pointer, pointer{Serving: g.n, Retired: &old.n}); err != nil {
		return fmt.Errorf("recording the swap in %s: %w", s.cfg.Pointer, err)
	}
	s.mu.Lock()
	s.serving.Store(g)
	s.building = nil
	// A runner of g that stopped before this point (while the pointer was
	// written) told only g (runnerStopped: g was not serving); now g serves,
	// so its failure is the node's, as a serving runner's is.
	select {
	case <-g.failed:
		select {
		case s.fatal <- fmt.Errorf("projections of generation %d: %w", g.n, g.err):
		default:
		}
	default:
	}
	s.mu.Unlock()
	s.cfg.Log.Info().Uint64("generation", g.n).Uint64("retired", old.n).Msg("rebuilt generation serves")
	rb.update(func(st *Status) { st.Serving = g.n })
	if err := old.retire(); err != nil {
		s.cfg.Log.Warn().Err(err).Uint64("generation", old.n).Msg("closing the retired generation")
	}
	if err := removeGen(s.cfg.components(), old.n); err != nil {
		s.cfg.Log.Warn().Err(err).Uint64("generation", old.n).Msg("removing the retired generation's files failed; retrying at the next start")
	} else if err := writePointer(s.cfg.Pointer, pointer{Serving: g.n}); err != nil {
		s.cfg.Log.Warn().Err(err).Msg("rewriting the generation pointer failed; the next start does it")
	}
	rb.finish(StateDone, nil, time.Now().UTC())
	return nil
}

// Rebuild builds a new generation offline, for a node that is not running
// (`ledgermirror rebuild`): as Start, but up to the log's head, without a
// serving generation (which is never opened, so a read model that no
// longer opens, ErrSchemaChanged, can be rebuilt), and it returns when the
// new generation is recorded in the pointer file and the old one's files
// are removed. notify, if not nil, hears every progress update. A
// cancelled ctx interrupts it; the next Rebuild or Start resumes.
func Rebuild(ctx context.Context, cfg Config, projection string, notify func(Status)) (Status, error) {
	if err := cfg.check(); err != nil {
		return Status{}, err
	}
	if err := cfg.checkProjection(projection); err != nil {
		return Status{}, err
	}
	p, n, resume, err := plan(&cfg)
	if err != nil {
		return Status{}, err
	}
	now := time.Now().UTC()
	rb := newProgress(Status{State: StateRunning, Serving: p.Serving, Generation: n, Projection: projection,
		Resumed: resume, Started: &now}, notify)
	g, resumed, err := openBuilding(ctx, &cfg, n, resume)
	if err != nil {
		return end(cfg.Log, rb, ctx, err), err
	}
	rb.update(func(st *Status) { st.Resumed = resumed })
	g.start(ctx, func(g *gen, err error) { g.fail(err) })
	err = catchUp(ctx, &cfg, g, rb, func(head event.Position) event.Position { return head })
	g.stop()
	err = errors.Join(err, g.close())
	if err != nil {
		return end(cfg.Log, rb, ctx, err), err
	}
	if err := writePointer(cfg.Pointer, pointer{Serving: n, Retired: &p.Serving}); err != nil {
		err = fmt.Errorf("recording the new generation in %s: %w", cfg.Pointer, err)
		return end(cfg.Log, rb, ctx, err), err
	}
	rb.update(func(st *Status) { st.Serving = n })
	if err := removeGen(cfg.components(), p.Serving); err != nil {
		cfg.Log.Warn().Err(err).Uint64("generation", p.Serving).Msg("removing the old generation's files failed; the node retries at its next start")
	} else if err := writePointer(cfg.Pointer, pointer{Serving: n}); err != nil {
		cfg.Log.Warn().Err(err).Msg("rewriting the generation pointer failed; the node does it at its next start")
	}
	rb.finish(StateDone, nil, time.Now().UTC())
	return rb.snapshot(), nil
}

// plan reads the pointer file and picks the generation to build: the one
// a previous rebuild left (resume), or the next number, recorded in the
// pointer file before any of its files exists so that a crash from here
// on leaves a generation the next rebuild finds.
func plan(cfg *Config) (p pointer, n uint64, resume bool, err error) {
	if p, err = readPointer(cfg.Pointer); err != nil {
		return p, 0, false, err
	}
	if p.Building != nil {
		return p, *p.Building, true, nil
	}
	n = p.Serving + 1
	if p.Retired != nil && *p.Retired >= n {
		n = *p.Retired + 1
	}
	// Files of that number can only be a discarded attempt's leftovers.
	if err := removeGen(cfg.components(), n); err != nil {
		return p, 0, false, err
	}
	p.Building = &n
	if err := writePointer(cfg.Pointer, p); err != nil {
		return p, 0, false, fmt.Errorf("recording the rebuild in %s: %w", cfg.Pointer, err)
	}
	return p, n, false, nil
}

// openBuilding opens generation n for building. A partial generation that
// no longer opens (a binary with other table declarations since, a
// damaged file) is discarded and started again from position 0; resumed
// says whether its checkpoints were kept.
func openBuilding(ctx context.Context, cfg *Config, n uint64, resume bool) (g *gen, resumed bool, err error) {
	if resume {
		g, err := openGen(ctx, cfg.components(), n, true)
		if err == nil {
			return g, true, nil
		}
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		cfg.Log.Warn().Err(err).Uint64("generation", n).Msg("the partial generation does not open; rebuilding it from position 0")
		if err := removeGen(cfg.components(), n); err != nil {
			return nil, false, err
		}
	}
	g, err = openGen(ctx, cfg.components(), n, true)
	return g, false, err
}

// catchUp waits until g has applied the log up to target(head), seals it,
// and waits until it has caught up again (events that came in while it
// sealed), reporting progress every tick.
func catchUp(ctx context.Context, cfg *Config, g *gen, rb *progress, target func(head event.Position) event.Position) error {
	t := time.NewTicker(cfg.Tick)
	defer t.Stop()
	sealed := false
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-g.failed:
			return g.err
		case <-t.C:
		}
		head, err := cfg.Events.Head(ctx)
		if err != nil {
			return fmt.Errorf("reading the log's head: %w", err)
		}
		pos := g.position()
		rb.observe(pos, head, time.Now())
		if pos < target(head) {
			continue
		}
		if sealed {
			return nil
		}
		rb.setState(StateSwapping)
		start := time.Now()
		if err := g.seal(ctx); err != nil {
			return err
		}
		cfg.Log.Info().Uint64("generation", g.n).Uint64("position", uint64(pos)).Dur("took", time.Since(start)).
			Msg("rebuilt generation caught up and sealed")
		sealed = true
	}
}

// end records how a rebuild that did not swap ended: interrupted when its
// context ended (the partial generation resumes later), failed otherwise.
func end(log zerolog.Logger, rb *progress, ctx context.Context, err error) Status { //nolint:revive // ctx is what is judged, not passed on
	if ctx.Err() != nil {
		rb.finish(StateInterrupted, nil, time.Now().UTC())
		log.Info().Msg("rebuild interrupted; the next one resumes it")
	} else {
		rb.finish(StateFailed, err, time.Now().UTC())
		log.Error().Err(err).Msg("rebuild failed; the old generation serves")
	}
	return rb.snapshot()
}
