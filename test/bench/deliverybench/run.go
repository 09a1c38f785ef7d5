package deliverybench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/rs/zerolog"

	evsqlite "github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
)

// Run builds the read model, measures delivery over it and returns the
// figures in a fixed order (see the Name constants; delivery.nats only
// with Options.NATSURL). progress, if not nil, hears what is happening; it
// is called from Run's goroutine only.
func Run(ctx context.Context, opts Options, progress func(string)) ([]Result, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("deliverybench: %w: %w", ErrInvalidOptions, err)
	}
	if progress == nil {
		progress = func(string) {}
	}
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "lm-deliverybench-*")
		if err != nil {
			return nil, err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		opts.Dir = dir
	} else if err := os.MkdirAll(opts.Dir, 0o750); err != nil {
		return nil, err
	}
	n, err := open(ctx, opts, progress)
	if err != nil {
		return nil, err
	}
	defer n.close()
	b := &bench{opts: opts, progress: progress, node: n}
	return b.run(ctx)
}

type bench struct {
	opts     Options
	progress func(string)
	node     *node
}

func (b *bench) run(ctx context.Context) ([]Result, error) {
	var results []Result
	add := func(name string, value float64, unit string) {
		results = append(results, Result{Name: name, Value: value, Unit: unit})
		b.progress(fmt.Sprintf("%s = %.6g %s", name, value, unit))
	}
	ws, err := b.wsReplay(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameWSReplay, err)
	}
	add(NameWSReplay, ws, unitEventsPerSec)
	gc, err := b.goChannel(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameGoChannel, err)
	}
	add(NameGoChannel, gc, unitEventsPerSec)
	add(NameRatio, ws/gc, unitRatio)
	hook, err := b.webhook(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameWebhook, err)
	}
	add(NameWebhook, hook, unitEventsPerSec)
	if b.opts.NATSURL != "" {
		nats, err := b.nats(ctx)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", NameNATS, err)
		}
		add(NameNATS, nats, unitEventsPerSec)
	}
	return results, nil
}

// node is what delivery runs on in a member: the read model, the
// subscriptions in an event store, and the engine, running.
type node struct {
	rm     *rmsqlite.Store
	store  *evsqlite.Store
	repo   *subscription.Log
	engine *delivery.Engine
	head   event.Position
	stop   context.CancelFunc
	wg     sync.WaitGroup
}

// caughtUp is the projections' progress of a read model that is complete:
// the events projector is at the log's head.
type caughtUp event.Position

func (c caughtUp) Positions() map[string]event.Position {
	return map[string]event.Position{projections.Events{}.Name(): event.Position(c)}
}

func open(ctx context.Context, opts Options, progress func(string)) (_ *node, err error) {
	n := &node{}
	defer func() {
		if err != nil {
			n.close()
		}
	}()
	if n.rm, err = rmsqlite.Open(ctx, rmsqlite.Config{Path: filepath.Join(opts.Dir, "readmodel.db"), DeferIndexes: true},
		projections.Tables(), zerolog.Nop()); err != nil {
		return nil, err
	}
	if n.head, err = querybench.FillReadModel(ctx, n.rm, opts.Events, func(s string) { progress("log: " + s) }); err != nil {
		return nil, fmt.Errorf("filling the read model: %w", err)
	}
	if n.store, err = evsqlite.Open(ctx, evsqlite.Config{Path: filepath.Join(opts.Dir, "events.db")}, zerolog.Nop()); err != nil {
		return nil, err
	}
	n.repo = subscription.NewLog(n.store, catalogue.Default())
	n.engine = delivery.New(n.rm, caughtUp(n.head), n.repo, zerolog.Nop(), delivery.Options{})
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	n.stop = stop
	n.wg.Add(2)
	go func() { defer n.wg.Done(); _ = n.repo.Run(runCtx) }()
	go func() { defer n.wg.Done(); _ = n.engine.Run(runCtx) }()
	return n, nil
}

func (n *node) close() {
	if n.stop != nil {
		n.stop()
		n.wg.Wait()
	}
	// The files are the run's own and go with it: a failed close loses
	// nothing.
	if n.store != nil {
		_ = n.store.Close()
	}
	if n.rm != nil {
		_ = n.rm.Close()
	}
}

func rate(n int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(n) / d.Seconds()
}
