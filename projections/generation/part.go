package generation

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
)

// Component makes one kind of part of every generation: the read model,
// and later the search index. Wiring implements it for an adapter.
type Component interface {
	// Name names the component in errors and logs ("readmodel").
	Name() string
	// Open opens generation n's part, creating its files if they are
	// missing and keeping what they hold otherwise (a partial generation
	// resumes from its checkpoints). rebuilding says the part is being
	// built from position 0 rather than serving: it may load in bulk (defer
	// its indexes) until Seal.
	Open(ctx context.Context, n uint64, rebuilding bool) (Part, error)
	// Remove deletes generation n's files. Its part is closed (or was never
	// opened); files that do not exist are not an error.
	Remove(n uint64) error
}

// Part is one component of one open generation: its storage and the
// projection runner that fills it.
type Part interface {
	// Run projects the event log into the part until ctx ends (nil) or it
	// fails; it resumes from the part's checkpoints.
	Run(ctx context.Context) error
	// Positions returns, per projector, the position the part has applied;
	// empty until Run has read the checkpoints. Safe to call concurrently
	// with Run.
	Positions() map[string]event.Position
	// Seal ends a bulk load once the part has caught up: it builds what was
	// deferred (indexes) so that the part can serve. It is called at most
	// once, while Run goes on, and only on a part opened rebuilding.
	Seal(ctx context.Context) error
	// Close releases the part; Run has returned.
	Close() error
}

// ReadModel is the part the read-model component opens: a Part whose
// storage is a projections.Store.
type ReadModel interface {
	Part
	// Store is the part's read model, which Set.Store serves from.
	Store() projections.Store
}

// gen is one open generation: its parts (the read model first), their
// runners, and the lock that keeps readers from a generation being closed.
type gen struct {
	n     uint64
	parts []Part
	rm    ReadModel

	// mu is held shared by every read through Set.Store and exclusively by
	// retire: a retired generation is closed only once no read is using it.
	mu      sync.RWMutex
	retired bool

	cancel context.CancelFunc
	wg     sync.WaitGroup

	failOnce sync.Once
	failed   chan struct{}
	err      error
}

// openGen opens generation n's part of every component, the read model's
// first.
func openGen(ctx context.Context, comps []Component, n uint64, rebuilding bool) (*gen, error) {
	g := &gen{n: n, failed: make(chan struct{})}
	for _, c := range comps {
		p, err := c.Open(ctx, n, rebuilding)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("%s of generation %d: %w", c.Name(), n, err), g.close())
		}
		g.parts = append(g.parts, p)
	}
	rm, ok := g.parts[0].(ReadModel)
	if !ok {
		return nil, errors.Join(fmt.Errorf("%s of generation %d is not a read model (%T)", comps[0].Name(), n, g.parts[0]), g.close())
	}
	g.rm = rm
	return g, nil
}

// start runs every part's runner under ctx; onErr hears of a runner that
// stops on its own (a failure, or a subscription that ended).
func (g *gen) start(ctx context.Context, onErr func(*gen, error)) {
	ctx, g.cancel = context.WithCancel(ctx)
	for _, p := range g.parts {
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			err := p.Run(ctx)
			if ctx.Err() != nil {
				return
			}
			if err == nil {
				err = errors.New("the projection runner stopped: its event subscription ended")
			}
			onErr(g, err)
		}()
	}
}

// stop stops the runners and waits for them.
func (g *gen) stop() {
	if g.cancel != nil {
		g.cancel()
	}
	g.wg.Wait()
}

// fail records the first failure of a generation being built.
func (g *gen) fail(err error) {
	g.failOnce.Do(func() {
		g.err = err
		close(g.failed)
	})
}

// close closes every part (the runners are stopped).
func (g *gen) close() error {
	var errs []error
	for _, p := range g.parts {
		errs = append(errs, p.Close())
	}
	return errors.Join(errs...)
}

// retire marks the generation retired, waits for the reads in progress,
// and closes it. New reads go to the serving generation, which the caller
// has already replaced.
func (g *gen) retire() error {
	g.stop()
	g.mu.Lock()
	g.retired = true
	g.mu.Unlock()
	return g.close()
}

// positions merges the parts' positions.
func (g *gen) positions() map[string]event.Position {
	out := map[string]event.Position{}
	for _, p := range g.parts {
		for k, v := range p.Positions() {
			out[k] = v
		}
	}
	return out
}

// position is how far the whole generation has applied the log: the least
// position of any projector of any part. A part whose runner has not read
// its checkpoints yet counts as 0, never as absent, so a generation cannot
// look caught up before all of it is.
func (g *gen) position() event.Position {
	var least event.Position
	for i, p := range g.parts {
		pos := p.Positions()
		if len(pos) == 0 {
			return 0
		}
		first := true
		var partLeast event.Position
		for _, v := range pos {
			if first || v < partLeast {
				partLeast, first = v, false
			}
		}
		if i == 0 || partLeast < least {
			least = partLeast
		}
	}
	return least
}

// seal seals every part.
func (g *gen) seal(ctx context.Context) error {
	for _, p := range g.parts {
		if err := p.Seal(ctx); err != nil {
			return fmt.Errorf("sealing generation %d: %w", g.n, err)
		}
	}
	return nil
}
