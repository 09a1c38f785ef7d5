package projector

import (
	"context"
	"fmt"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
)

// Progress is the read-model projections' side of the wait:
// projections.Runner, or a generation.Set serving generations of the read
// model.
type Progress interface {
	// Positions returns each projector's applied position; a projector
	// not started yet is absent.
	Positions() map[string]event.Position
}

// Waiter is a Progress that can also wait without polling, as
// projections.Runner can: WaitFor returns once every projector has applied
// pos, or ctx ends. Without it Positions is polled.
type Waiter interface {
	Progress
	WaitFor(ctx context.Context, pos event.Position) error
}

// pollInterval is how often the read model is asked for its progress when
// no Waiter can answer.
const pollInterval = 20 * time.Millisecond

// sources are the read-model projectors whose rows documents are built
// from.
var sources = []string{projections.Messages{}.Name(), projections.Data{}.Name()}

// waitReadModel waits until the read-model projectors the documents come
// from have applied pos.
func (r *Runner) waitReadModel(ctx context.Context, pos event.Position) error {
	for {
		var applied map[string]event.Position
		if r.opts.Progress != nil {
			applied = r.opts.Progress.Positions()
		} else {
			var err error
			if applied, err = r.rm.Checkpoints(ctx); err != nil {
				return fmt.Errorf("reading the read model's checkpoints: %w", err)
			}
		}
		known, done := true, true
		for _, name := range sources {
			p, ok := applied[name]
			known = known && ok
			done = done && p >= pos
		}
		if done {
			return nil
		}
		if w, ok := r.opts.Progress.(Waiter); ok && known {
			// Push, not poll: WaitFor returns as soon as the runner
			// commits pos.
			if err := w.WaitFor(ctx, pos); err != nil {
				return err
			}
			continue
		}
		// No Waiter, or one that has not loaded its checkpoints yet (its
		// WaitFor would not wait).
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}
