package generation

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Errors of Start.
var (
	// ErrRunning: a rebuild is under way; there is one at a time.
	ErrRunning = errors.New("a rebuild is already running")
	// ErrUnknownProjection: Start was asked for a projector this node does
	// not have.
	ErrUnknownProjection = errors.New("no such projection")
	// ErrNotRunning: the Set is not running (Run has not started or has
	// returned), so there is nothing to rebuild beside.
	ErrNotRunning = errors.New("the projections are not running")
)

// ErrClosed is what a read through Store returns once the Set is closed.
var ErrClosed = errors.New("the read model is closed")

// DefaultTick is how often a rebuild measures its progress.
const DefaultTick = 200 * time.Millisecond

// Config is what a Set (or an offline Rebuild) works on.
type Config struct {
	// Pointer is the file naming the serving generation, beside the
	// generations' files.
	Pointer string
	// Events is the event log every generation is projected from.
	Events event.Store
	// ReadModel makes each generation's read model; its parts must
	// implement ReadModel.
	ReadModel Component
	// Others are the further components of a generation (a search index):
	// built, sealed, swapped and removed with the read model.
	Others []Component
	// Projectors are the names of the projectors the components run, which
	// Start accepts as a projection name.
	Projectors []string
	// Tick is how often a rebuild measures its progress (DefaultTick).
	Tick time.Duration
	// Log receives the rebuild's milestones.
	Log zerolog.Logger
}

func (c *Config) check() error {
	var errs []error
	if c.Pointer == "" {
		errs = append(errs, errors.New("generation: no pointer file"))
	}
	if c.Events == nil {
		errs = append(errs, errors.New("generation: no event store"))
	}
	if c.ReadModel == nil {
		errs = append(errs, errors.New("generation: no read-model component"))
	}
	if c.Tick <= 0 {
		c.Tick = DefaultTick
	}
	return errors.Join(errs...)
}

func (c *Config) components() []Component { return append([]Component{c.ReadModel}, c.Others...) }

func (c *Config) checkProjection(name string) error {
	if name == "" || slices.Contains(c.Projectors, name) {
		return nil
	}
	return fmt.Errorf("%w %q: the projections are %v", ErrUnknownProjection, name, c.Projectors)
}

// Set is a node's read side: the serving generation, whose runners it runs
// and whose read model Store serves, and at most one rebuild beside it.
type Set struct {
	cfg     Config
	serving atomic.Pointer[gen]

	mu       sync.Mutex
	runCtx   context.Context // Run's context while Run runs
	fatal    chan error      // a serving runner's failure, for Run
	rebuild  *progress       // the current or last rebuild; nil before any
	cancel   context.CancelFunc
	done     chan struct{} // closed when the rebuild's goroutine ends
	building *gen
	closed   bool
}

// Open opens the serving generation (the pointer file's, or 0 without one)
// and finishes the removal of a generation a crash left retired. A
// generation a crash left half-built is kept: Status reports it as
// interrupted and the next Start resumes it.
func Open(ctx context.Context, cfg Config) (*Set, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	p, err := readPointer(cfg.Pointer)
	if err != nil {
		return nil, err
	}
	if p.Retired != nil {
		if err := removeGen(cfg.components(), *p.Retired); err != nil {
			cfg.Log.Warn().Err(err).Uint64("generation", *p.Retired).Msg("removing the retired generation's files failed; retrying at the next start")
		} else {
			p.Retired = nil
			if err := writePointer(cfg.Pointer, p); err != nil {
				return nil, fmt.Errorf("rewriting the generation pointer: %w", err)
			}
		}
	}
	g, err := openGen(ctx, cfg.components(), p.Serving, false)
	if err != nil {
		return nil, err
	}
	s := &Set{cfg: cfg, fatal: make(chan error, 1)}
	s.serving.Store(g)
	if p.Building != nil {
		s.rebuild = newProgress(Status{State: StateInterrupted, Serving: p.Serving, Generation: *p.Building}, nil)
		cfg.Log.Warn().Uint64("generation", *p.Building).Uint64("serving", p.Serving).
			Msg("a rebuild was interrupted; the old generation serves and the next rebuild resumes it")
	}
	return s, nil
}

// Serving is the generation the node reads now.
func (s *Set) Serving() uint64 { return s.serving.Load().n }

// Positions returns, per projector, the position the serving generation has
// applied (the API's projection lag).
func (s *Set) Positions() map[string]event.Position { return s.serving.Load().positions() }

// Run runs the serving generation's runners (and a rebuild, once Start
// asks) until ctx ends, then stops them and returns nil; a serving runner's
// failure stops everything and is returned. A rebuild in progress when
// ctx ends is interrupted and resumes at the next Start.
func (s *Set) Run(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errors.New("generation: Run on a closed Set")
	}
	if s.runCtx != nil {
		s.mu.Unlock()
		return errors.New("generation: Run called twice")
	}
	s.runCtx = ctx
	s.serving.Load().start(ctx, s.runnerStopped)
	s.mu.Unlock()
	defer func() {
		// No Start from here on; a rebuild under way is interrupted.
		s.mu.Lock()
		s.runCtx = nil
		cancel, done := s.cancel, s.done
		s.mu.Unlock()
		if cancel != nil {
			cancel()
			<-done
		}
		s.serving.Load().stop()
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-s.fatal:
		return err
	}
}

// runnerStopped hears of a runner that stopped on its own: the serving
// generation's stops the node (as a lone runner would), a building one's
// fails the rebuild only.
func (s *Set) runnerStopped(g *gen, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serving.Load() == g {
		select {
		case s.fatal <- fmt.Errorf("projections of generation %d: %w", g.n, err):
		default:
		}
		return
	}
	g.fail(err)
}

// Status is the current (or last) rebuild's status.
func (s *Set) Status() Status {
	s.mu.Lock()
	rb := s.rebuild
	s.mu.Unlock()
	if rb == nil {
		return Status{State: StateIdle, Serving: s.Serving(), Generation: s.Serving()}
	}
	return rb.snapshot()
}

// Close stops whatever runs (a rebuild is interrupted, as at a crash) and
// closes the generations. It is idempotent.
func (s *Set) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	cancel, done := s.cancel, s.done
	s.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
	// As a swap retires the old generation: reads in progress finish
	// before the stores close under them, and later ones get ErrClosed.
	return s.serving.Load().retire()
}

// acquire returns the serving generation, held for reading until release;
// ErrClosed once the Set is closed.
func (s *Set) acquire() (*gen, func(), error) {
	for {
		g := s.serving.Load()
		g.mu.RLock()
		if !g.retired {
			return g, g.mu.RUnlock, nil
		}
		g.mu.RUnlock()
		if s.serving.Load() == g {
			// Retired and still serving: the Set was closed.
			return nil, nil, ErrClosed
		}
		// Swapped and closed between the load and the lock: the serving
		// pointer already names the new generation.
	}
}

// removeGen removes generation n's files of every component.
func removeGen(comps []Component, n uint64) error {
	var errs []error
	for _, c := range comps {
		if err := c.Remove(n); err != nil {
			errs = append(errs, fmt.Errorf("%s of generation %d: %w", c.Name(), n, err))
		}
	}
	return errors.Join(errs...)
}
