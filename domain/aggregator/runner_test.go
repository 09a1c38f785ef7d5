package aggregator_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// memStore is a minimal in-memory event.Store for runner tests.
type memStore struct {
	mu     sync.Mutex
	events []event.Event
	revs   map[string]event.Revision
	notify chan struct{}
}

func newMemStore() *memStore {
	return &memStore{revs: map[string]event.Revision{}, notify: make(chan struct{})}
}

func (s *memStore) Append(_ context.Context, stream string, exp event.ExpectedRevision, evs ...event.Proposed) (event.AppendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur := s.revs[stream]
	if !exp.Allows(cur) {
		return event.AppendResult{}, fmt.Errorf("%w: %s at %d, expected %s", event.ErrWrongRevision, stream, cur, exp)
	}
	res := event.AppendResult{FirstPosition: event.Position(len(s.events) + 1)}
	for _, p := range evs {
		cur++
		s.events = append(s.events, event.Event{ID: p.ID, Stream: stream, Revision: cur, Position: event.Position(len(s.events) + 1),
			Type: p.Type, Version: p.Version, Recorded: time.Now().UTC(), Data: p.Data, Metadata: p.Metadata})
	}
	s.revs[stream] = cur
	res.LastPosition, res.Revision = event.Position(len(s.events)), cur
	close(s.notify)
	s.notify = make(chan struct{})
	return res, nil
}

func (s *memStore) ReadStream(_ context.Context, stream string, after event.Revision, _ int) ([]event.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []event.Event
	for _, e := range s.events {
		if e.Stream == stream && e.Revision > after {
			out = append(out, e)
		}
	}
	return out, nil
}

func (s *memStore) ReadAll(_ context.Context, after event.Position, _ int) ([]event.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]event.Event(nil), s.events[min(int(after), len(s.events)):]...), nil
}

func (s *memStore) Head(context.Context) (event.Position, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return event.Position(len(s.events)), nil
}

func (s *memStore) Close() error { return nil }

type memSub struct {
	ch     chan event.Event
	cancel context.CancelFunc
	done   chan struct{}
}

func (m *memSub) Events() <-chan event.Event { return m.ch }
func (m *memSub) Err() error                 { return nil }
func (m *memSub) Close() error               { m.cancel(); <-m.done; return nil }

func (s *memStore) Subscribe(ctx context.Context, after event.Position, f event.Filter) (event.Subscription, error) {
	ctx, cancel := context.WithCancel(ctx)
	sub := &memSub{ch: make(chan event.Event, 16), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(sub.done)
		defer close(sub.ch)
		pos := after
		for {
			s.mu.Lock()
			batch := append([]event.Event(nil), s.events[min(int(pos), len(s.events)):]...)
			wait := s.notify
			s.mu.Unlock()
			for _, e := range batch {
				pos = e.Position
				if !f.Matches(e) {
					continue
				}
				select {
				case sub.ch <- e:
				case <-ctx.Done():
					return
				}
			}
			if len(batch) == 0 {
				select {
				case <-wait:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return sub, nil
}

func runFor(t *testing.T, s event.Store, cat *catalogue.Catalogue, cfg aggregator.Config, d time.Duration) error {
	t.Helper()
	r, err := aggregator.NewRunner(s, cat, cfg, aggregator.RunnerOptions{})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return r.Run(ctx)
}

// The replay recognises a recorded decision by its id alone, and ids are
// derived from (input, index). With one more confirmation the pin gives a
// PinParked at index 0 where the recorded run gave MessageRejected at index
// 0: same id, so the replay accepts it. The checkpoint's decisions
// (PinUnparked, MessageRejected) are then taken for decisions a crash lost
// and appended: the stream now rejects the message twice, and Run never
// reports ErrDiverged.
func TestRunnerDetectsADifferentDecisionWithTheSameID(t *testing.T) {
	cat := catalogue.Default()
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1) // never registered: its message is rejected
	b := n.broadcast(o, "orders")
	p := n.pin(b, o.key)
	head := catalogue.ChainCheckpoint{Chain: p.Location.Chain, Contract: p.Location.Contract,
		BlockNumber: p.Location.BlockNumber + 1, BlockHash: "0xab"}

	s := newMemStore()
	for _, in := range []catalogue.Payload{b.received, p, head} {
		ev, err := cat.Encode(uuid.New(), in, event.Metadata{Namespace: ns})
		require.NoError(t, err)
		_, err = s.Append(context.Background(), "input-"+in.EventType(), event.Any(), ev)
		require.NoError(t, err)
	}
	cfg := aggregator.Config{Namespace: ns}
	require.NoError(t, runFor(t, s, cat, cfg, 300*time.Millisecond))
	rec, err := s.ReadStream(context.Background(), catalogue.AggregatorStream(ns), 0, 0)
	require.NoError(t, err)
	require.Len(t, rec, 1)
	require.Equal(t, "MessageRejected", rec[0].Type)

	cfg.Confirmations = 1
	err = runFor(t, s, cat, cfg, 300*time.Millisecond)
	rec, _ = s.ReadStream(context.Background(), catalogue.AggregatorStream(ns), 0, 0)
	var types []string
	for _, e := range rec {
		types = append(types, e.Type)
	}
	assert.ErrorIs(t, err, aggregator.ErrDiverged, "recorded decisions now: %v", types)
}
