package chain

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// RunOptions configures Run.
type RunOptions struct {
	// PollInterval is how often the head is asked for when the chain cannot
	// notify new heads. Default 100 ms.
	PollInterval time.Duration
	// RetryMin and RetryMax bound the back-off after a failed step (node
	// down or slow). Defaults 100 ms and 10 s.
	RetryMin, RetryMax time.Duration
	// StepTimeout bounds one Step, its calls to the chain included. A call
	// that never returns (a node that stopped answering on a connection it
	// keeps open) then fails the step, which is retried, instead of
	// stopping the follower, and with it every confirmation, for good.
	// Default DefaultStepTimeout.
	StepTimeout time.Duration
	// OnReorg and OnError are told what happened, for logs and metrics.
	// Optional.
	OnReorg func(Reorg)
	OnError func(error)
}

func (o *RunOptions) setDefaults() {
	if o.PollInterval <= 0 {
		o.PollInterval = 100 * time.Millisecond
	}
	if o.RetryMin <= 0 {
		o.RetryMin = 100 * time.Millisecond
	}
	if o.RetryMax < o.RetryMin {
		o.RetryMax = max(10*time.Second, o.RetryMin)
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = DefaultStepTimeout
	}
}

// DefaultStepTimeout is RunOptions.StepTimeout's default: far longer than a
// step takes (a head, a few headers, one range of logs), as the pinner's
// DefaultAttemptTimeout.
const DefaultStepTimeout = 30 * time.Second

// step runs one Step under opts.StepTimeout.
func step(ctx context.Context, f *Follower, timeout time.Duration) ([]catalogue.Payload, bool, *Reorg, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	events, more, reorg, err := f.Step(ctx)
	if err != nil && ctx.Err() == context.DeadlineExceeded {
		err = fmt.Errorf("chain follower step gave up after %s: %w", timeout, err)
	}
	return events, more, reorg, err
}

// Run restores f from its stream in store and follows the chain until ctx
// ends (then it returns nil). Each step's events are appended in one append
// with the stream's expected revision, so a second follower of the same
// namespace and chain fails instead of observing twice. A failing step is
// retried with back-off; a failing append is returned.
func Run(ctx context.Context, f *Follower, store event.Store, cat *catalogue.Catalogue, opts RunOptions) error {
	opts.setDefaults()
	stream := catalogue.ChainStream(f.cfg.Namespace, f.chain.Name())
	revision, err := restore(ctx, f, store, cat, stream)
	if err != nil {
		return err
	}
	wake := heads(ctx, f.chain)
	retry := opts.RetryMin
	for {
		events, more, reorg, err := step(ctx, f, opts.StepTimeout)
		if err != nil {
			if ctx.Err() != nil {
				return nil //nolint:nilerr // the step failed because Run was told to stop
			}
			if opts.OnError != nil {
				opts.OnError(err)
			}
			if !sleep(ctx, retry) {
				return nil
			}
			retry = min(2*retry, opts.RetryMax)
			continue
		}
		retry = opts.RetryMin
		if reorg != nil && opts.OnReorg != nil {
			opts.OnReorg(*reorg)
		}
		if len(events) > 0 {
			// The follower has moved past these events: a full or
			// read-only disk makes Run wait to record them, not skip them.
			err := event.RetryStorage(ctx, func() error {
				// The same append each time: its ids derive from revision.
				next, err := appendEvents(ctx, store, cat, stream, revision, events)
				if err == nil {
					revision = next
				}
				return err
			}, opts.OnError)
			if err != nil {
				if ctx.Err() != nil {
					// Not recorded: the next run observes it again.
					return nil //nolint:nilerr // Run was told to stop mid-append
				}
				return err
			}
		}
		if more {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-wake:
			if !ok {
				// The subscription ended (a dropped WebSocket, say): poll,
				// and subscribe again on the next round.
				wake = nil
			}
		case <-time.After(opts.PollInterval):
			if wake == nil {
				wake = heads(ctx, f.chain)
			}
		}
	}
}

func restore(ctx context.Context, f *Follower, store event.Store, cat *catalogue.Catalogue, stream string) (event.Revision, error) {
	var revision event.Revision
	for {
		evs, err := store.ReadStream(ctx, stream, revision, 1000)
		if err != nil {
			return 0, fmt.Errorf("reading %s: %w", stream, err)
		}
		if len(evs) == 0 {
			return revision, nil
		}
		for _, ev := range evs {
			p, err := cat.Decode(ev)
			if err != nil {
				return 0, fmt.Errorf("restoring the chain follower: %w", err)
			}
			f.Restore(p)
			revision = ev.Revision
		}
	}
}

func appendEvents(ctx context.Context, store event.Store, cat *catalogue.Catalogue, stream string, revision event.Revision, events []catalogue.Payload) (event.Revision, error) {
	proposed := make([]event.Proposed, len(events))
	for i, e := range events {
		p, err := cat.Encode(eventID(stream, revision, i), e, event.Metadata{})
		if err != nil {
			return 0, fmt.Errorf("chain follower produced an invalid %s: %w", e.EventType(), err)
		}
		proposed[i] = p
	}
	res, err := store.Append(ctx, stream, event.Exact(revision), proposed...)
	if err != nil {
		return 0, fmt.Errorf("recording chain events: %w", err)
	}
	return res.Revision, nil
}

// heads returns a channel that ticks on new heads if the chain can notify
// them, or nil (never ticks: Run polls).
func heads(ctx context.Context, c Chain) <-chan Header {
	h, ok := c.(Heads)
	if !ok {
		return nil
	}
	ch, err := h.SubscribeHeads(ctx)
	if err != nil {
		return nil
	}
	return ch
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// eventIDSpace seeds the ids of follower events: derived from the stream
// position they are appended at, so an append retried after a lost reply is
// recognised by the store.
var eventIDSpace = uuid.MustParse("3b1f4c52-8d0e-4f6a-9c71-2e5d8a9b0c14")

func eventID(stream string, revision event.Revision, i int) uuid.UUID {
	return uuid.NewSHA1(eventIDSpace, fmt.Appendf(nil, "%s/%d/%d", stream, revision, i))
}
