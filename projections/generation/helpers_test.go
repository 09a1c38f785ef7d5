package generation_test

import (
	"context"
	"errors"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	evsqlite "github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// simulatedLog is a member's event log for a random history: the
// aggregator's inputs in a random arrival order, each followed by its
// decisions, as projections/property_test.go builds it.
func simulatedLog(t testing.TB, seed int64, batches int) []event.Proposed {
	t.Helper()
	h := simulation.Generate(seed, simulation.Options{Batches: batches})
	agg, err := aggregator.New(h.Config)
	require.NoError(t, err)
	cat := catalogue.Default()
	var log []event.Proposed
	add := func(p catalogue.Payload) {
		proposed, err := cat.Encode(uuid.NewSHA1(uuid.Nil, []byte(strconv.FormatInt(seed, 10)+"/"+strconv.Itoa(len(log)))), p, event.Metadata{})
		require.NoError(t, err)
		log = append(log, proposed)
	}
	for _, in := range h.Inputs(0, rand.New(rand.NewSource(seed))) {
		add(in)
		out, err := agg.Apply(in)
		if err != nil {
			continue
		}
		for _, o := range out {
			add(o)
		}
	}
	return log
}

// openEvents opens an event store in dir.
func openEvents(t testing.TB, dir string) *evsqlite.Store {
	t.Helper()
	s, err := evsqlite.Open(context.Background(), evsqlite.Config{Path: filepath.Join(dir, "events.db")}, zerolog.Nop())
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// appendLog appends events in chunks.
func appendLog(t testing.TB, s event.Store, events []event.Proposed) {
	t.Helper()
	for len(events) > 0 {
		n := min(500, len(events))
		_, err := s.Append(context.Background(), "sim", event.Any(), events[:n]...)
		require.NoError(t, err)
		events = events[n:]
	}
}

// component is the SQLite read model as a generation component, with a
// gate: a rebuilding part's runner sees no event past gate (so a test can
// stop a rebuild half-way at a known position).
type component struct {
	base   string
	events event.Store
	gate   atomic.Uint64
	batch  int // the rebuilding runner's batch size; 100 unless set
}

func newComponent(dir string, events event.Store) *component {
	c := &component{base: filepath.Join(dir, "readmodel.db"), events: events}
	c.gate.Store(math.MaxUint64)
	return c
}

func (c *component) Name() string { return "readmodel" }

func (c *component) Open(ctx context.Context, n uint64, rebuilding bool) (generation.Part, error) {
	rm, err := rmsqlite.Open(ctx, rmsqlite.Config{Path: generation.Path(c.base, n), DeferIndexes: rebuilding},
		projections.Tables(), zerolog.Nop())
	if err != nil {
		return nil, err
	}
	events := c.events
	opts := projections.RunnerOptions{BatchSize: 100, FlushDelay: 5 * time.Millisecond}
	if rebuilding {
		events = gatedStore{Store: c.events, gate: &c.gate}
		if c.batch > 0 {
			opts.BatchSize = c.batch
		}
	}
	r, err := projections.NewRunner(events, rm, catalogue.Default(), opts,
		projections.All()...)
	if err != nil {
		return nil, err
	}
	return &part{rm: rm, Runner: r}, nil
}

func (c *component) Remove(n uint64) error {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(generation.Path(c.base, n) + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	return nil
}

type part struct {
	rm *rmsqlite.Store
	*projections.Runner
}

func (p *part) Store() projections.Store       { return p.rm }
func (p *part) Seal(ctx context.Context) error { return p.rm.BuildIndexes(ctx) }
func (p *part) Close() error                   { return p.rm.Close() }

// gatedStore holds back events past gate from its subscriptions.
type gatedStore struct {
	event.Store
	gate *atomic.Uint64
}

func (g gatedStore) Subscribe(ctx context.Context, after event.Position, f event.Filter) (event.Subscription, error) {
	sub, err := g.Store.Subscribe(ctx, after, f)
	if err != nil {
		return nil, err
	}
	out := make(chan event.Event)
	gs := &gatedSub{Subscription: sub, out: out}
	go func() {
		defer close(out)
		for ev := range sub.Events() {
			for uint64(ev.Position) > g.gate.Load() {
				select {
				case <-ctx.Done():
					return
				case <-time.After(2 * time.Millisecond):
				}
			}
			select {
			case out <- ev:
			case <-ctx.Done():
				return
			}
		}
	}()
	return gs, nil
}

type gatedSub struct {
	event.Subscription
	out chan event.Event
}

func (s *gatedSub) Events() <-chan event.Event { return s.out }

// reference builds the read model of the whole log anew, the way a node
// that never rebuilt would have it, and returns its digest.
func reference(t *testing.T, events event.Store) string {
	t.Helper()
	ctx := context.Background()
	rm, err := rmsqlite.Open(ctx, rmsqlite.Config{Path: filepath.Join(t.TempDir(), "reference.db")}, projections.Tables(), zerolog.Nop())
	require.NoError(t, err)
	defer func() { require.NoError(t, rm.Close()) }()
	r, err := projections.NewRunner(nil, rm, catalogue.Default(), projections.RunnerOptions{}, projections.All()...)
	require.NoError(t, err)
	var after event.Position
	for {
		page, err := events.ReadAll(ctx, after, 1000)
		require.NoError(t, err)
		if len(page) == 0 {
			break
		}
		require.NoError(t, r.ApplyEvents(ctx, page))
		after = page[len(page)-1].Position
	}
	d, err := rm.Digest(ctx)
	require.NoError(t, err)
	return d
}

// eventually polls cond every 10 ms for up to 30 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			require.FailNow(t, "timed out waiting: "+what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
