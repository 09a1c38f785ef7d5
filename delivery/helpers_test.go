package delivery_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// progress stands in for the projections runner: the test moves the
// events projector's position when it writes rows.
type progress struct {
	mu  sync.Mutex
	pos event.Position
}

func (p *progress) Positions() map[string]event.Position {
	p.mu.Lock()
	defer p.mu.Unlock()
	return map[string]event.Position{projections.Events{}.Name(): p.pos}
}

// gatedStore holds offset commits while its gate is set: a commit
// announces itself on entered and waits for the gate to close.
type gatedStore struct {
	event.Store
	mu      sync.Mutex
	gate    chan struct{}
	entered chan struct{}
}

func (g *gatedStore) Append(ctx context.Context, stream string, expected event.ExpectedRevision, events ...event.Proposed) (event.AppendResult, error) {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	if gate != nil && len(events) > 0 && events[0].Type == (catalogue.SubscriptionOffsetCommitted{}).EventType() {
		g.entered <- struct{}{}
		<-gate
	}
	return g.Store.Append(ctx, stream, expected, events...)
}

// holdCommits makes offset commits wait until release is called (at the
// latest when the test ends, so that a failed test does not hang).
func (h *harness) holdCommits() (entered <-chan struct{}, release func()) {
	gate, in := make(chan struct{}), make(chan struct{}, 16)
	h.gated.mu.Lock()
	h.gated.gate, h.gated.entered = gate, in
	h.gated.mu.Unlock()
	var once sync.Once
	release = func() {
		once.Do(func() {
			h.gated.mu.Lock()
			h.gated.gate = nil
			h.gated.mu.Unlock()
			close(gate)
		})
	}
	h.t.Cleanup(release)
	return in, release
}

// harness is an engine over a memory read model whose event rows the test
// writes, with subscriptions in a real (SQLite) event store.
type harness struct {
	t     *testing.T
	store event.Store
	gated *gatedStore // the repository's view of store
	rm    *memstore.Store
	prog  *progress
	repo  *subscription.Log
	eng   *delivery.Engine
	seq   uint64
}

func newHarness(t *testing.T, opts delivery.Options) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "events.db")}, zerolog.Nop())
	require.NoError(t, err)
	h := &harness{t: t, store: store, rm: memstore.New(), prog: &progress{}}
	h.gated = &gatedStore{Store: store}
	h.repo = subscription.NewLog(h.gated, catalogue.Default())
	h.eng = delivery.New(h.rm, h.prog, h.repo, zerolog.Nop(), opts)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = h.repo.Run(ctx) }()
	go func() { defer wg.Done(); _ = h.eng.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		require.NoError(t, store.Close())
	})
	return h
}

// add writes app-facing events and moves the position. As in a node, a
// row's sequence is the position of a store event (here a PeerRefused,
// which lists nothing), so "newest" resolves against the same numbers.
func (h *harness) add(docs ...projections.EventDoc) []projections.EventDoc {
	h.t.Helper()
	cat := catalogue.Default()
	proposed := make([]event.Proposed, len(docs))
	for i := range proposed {
		p, err := cat.Encode(uuid.New(), catalogue.PeerRefused{Reason: "test"}, event.Metadata{})
		require.NoError(h.t, err)
		proposed[i] = p
	}
	res, err := h.store.Append(context.Background(), catalogue.PeerStream, event.Any(), proposed...)
	require.NoError(h.t, err)
	tx, err := h.rm.Begin(context.Background())
	require.NoError(h.t, err)
	for i := range docs {
		h.seq = uint64(res.FirstPosition) + uint64(i)
		d := &docs[i]
		d.Sequence, d.ID, d.Namespace = int64(h.seq), uuid.New(), "default"
		if d.Type == "" {
			d.Type = projections.EventMessageConfirmed
		}
		if d.Reference == "" {
			d.Reference = uuid.NewString()
		}
		raw, err := json.Marshal(d)
		require.NoError(h.t, err)
		row := query.Row{"namespace": d.Namespace, "sequence": d.Sequence, "id": [16]byte(d.ID), "type": d.Type,
			"reference": d.Reference, "topics": d.Topics, "created": time.Unix(0, 0).UTC()}
		if d.Tag != "" {
			row["tag"] = d.Tag
		}
		require.NoError(h.t, tx.Put(projections.EventsTable, row, raw))
	}
	require.NoError(h.t, tx.Commit())
	h.prog.mu.Lock()
	h.prog.pos = event.Position(h.seq)
	h.prog.mu.Unlock()
	return docs
}

func (h *harness) messages(n int, topic string) []projections.EventDoc {
	docs := make([]projections.EventDoc, n)
	for i := range docs {
		docs[i].Topics = []string{topic}
	}
	return h.add(docs...)
}

func (h *harness) create(spec subscription.Spec) subscription.Subscription {
	h.t.Helper()
	if spec.Transport == "" {
		spec.Transport = subscription.TransportWebSocket
	}
	sub, err := h.repo.Create(context.Background(), "default", spec)
	require.NoError(h.t, err)
	return sub
}

func (h *harness) open(req subscription.StreamRequest) subscription.Stream {
	h.t.Helper()
	req.Namespace = "default"
	s, err := h.eng.Open(context.Background(), req)
	require.NoError(h.t, err)
	h.t.Cleanup(func() { _ = s.Close() })
	return s
}

func next(t *testing.T, s subscription.Stream) subscription.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := s.Next(ctx)
	require.NoError(t, err)
	return d
}

// blocked checks that Next has nothing to give within a short while.
func blocked(t *testing.T, s subscription.Stream) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	d, err := s.Next(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded, "got event %d", d.Sequence)
}
