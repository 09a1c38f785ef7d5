package e2ebench

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// memberSet is a set of members by index (org1 is bit 0); the network has
// three.
type memberSet uint8

func (s memberSet) has(i int) bool { return s&(1<<i) != 0 }

// tracker follows the messages of the benchmark through every member's
// decisions. Messages are expected before they are sent, so a decision can
// never arrive for a message the tracker does not know yet; decisions about
// other messages (the members' registrations) are ignored.
type tracker struct {
	mu     sync.Mutex
	msgs   map[uuid.UUID]*tracked
	failed error
	// failedCh is closed on the first failure.
	failedCh chan struct{}
}

// tracked is one message: when its clock started, who must confirm it and
// who must not, who has.
type tracked struct {
	phase  *phase
	start  time.Time
	need   memberSet
	forbid memberSet
	got    memberSet
}

// phase counts the messages of one phase as they complete.
type phase struct {
	name string
	// progressed receives (without blocking) after each completion.
	progressed chan struct{}

	// Guarded by the tracker's mu.
	expected  int
	done      int
	lastDone  time.Time
	latencies []time.Duration
	confirmed []int // per member, of the messages it must confirm
}

func newTracker() *tracker {
	return &tracker{msgs: map[uuid.UUID]*tracked{}, failedCh: make(chan struct{})}
}

func (t *tracker) newPhase(name string, members, expected int) *phase {
	return &phase{name: name, progressed: make(chan struct{}, 1),
		latencies: make([]time.Duration, 0, expected), confirmed: make([]int, members)}
}

// expect registers message id of ph, whose clock started at start, to be
// confirmed by need and not by forbid.
func (t *tracker) expect(ph *phase, id uuid.UUID, start time.Time, need, forbid memberSet) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.msgs[id] = &tracked{phase: ph, start: start, need: need, forbid: forbid}
	ph.expected++
}

// confirmed records that member confirmed id at now.
func (t *tracker) confirmed(member int, id uuid.UUID, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	m, ok := t.msgs[id]
	switch {
	case !ok:
		return
	case m.forbid.has(member):
		t.failLocked(fmt.Errorf("org%d confirmed message %s, which was not sent to it", member+1, id))
		return
	case !m.need.has(member):
		return
	case m.got.has(member):
		t.failLocked(fmt.Errorf("org%d confirmed message %s twice", member+1, id))
		return
	}
	m.got |= 1 << member
	ph := m.phase
	ph.confirmed[member]++
	if m.got != m.need {
		return
	}
	ph.done++
	ph.lastDone = now
	ph.latencies = append(ph.latencies, now.Sub(m.start))
	select {
	case ph.progressed <- struct{}{}:
	default:
	}
}

// rejected fails the run if id is one of the benchmark's messages.
func (t *tracker) rejected(member int, id uuid.UUID, reason catalogue.RejectReason, detail string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.msgs[id]; ok {
		t.failLocked(fmt.Errorf("org%d rejected message %s: %s %s", member+1, id, reason, detail))
	}
}

func (t *tracker) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.failLocked(err)
}

func (t *tracker) failLocked(err error) {
	if t.failed == nil {
		t.failed = err
		close(t.failedCh)
	}
}

// err is the first failure, if any.
func (t *tracker) err() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

// phaseState is a snapshot of a phase's counters.
type phaseState struct {
	expected, done int
	lastDone       time.Time
	confirmed      []int
}

func (t *tracker) state(ph *phase) phaseState {
	t.mu.Lock()
	defer t.mu.Unlock()
	return phaseState{expected: ph.expected, done: ph.done, lastDone: ph.lastDone,
		confirmed: append([]int(nil), ph.confirmed...)}
}

// latencies returns a copy of ph's completed messages' latencies, in
// completion order.
func (t *tracker) latencies(ph *phase) []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]time.Duration(nil), ph.latencies...)
}

// follow feeds member's decisions from store to t until ctx ends; a
// subscription that fails, or a decision that does not decode, fails t.
// Each follower decodes with its own catalogue and stamps a decision with
// the time it reached the benchmark, as an application's subscription
// would see it.
func (t *tracker) follow(ctx context.Context, member int, store event.Store) error {
	sub, err := store.Subscribe(ctx, 0, event.Filter{Types: []string{
		catalogue.MessageConfirmed{}.EventType(), catalogue.MessageRejected{}.EventType()}})
	if err != nil {
		return err
	}
	cat := catalogue.Default()
	go func() {
		defer func() { _ = sub.Close() }()
		for ev := range sub.Events() {
			now := time.Now()
			p, err := cat.Decode(ev)
			if err != nil {
				t.fail(fmt.Errorf("org%d: %w", member+1, err))
				return
			}
			switch p := p.(type) {
			case catalogue.MessageConfirmed:
				t.confirmed(member, p.MessageID, now)
			case catalogue.MessageRejected:
				t.rejected(member, p.MessageID, p.Reason, p.Detail)
			}
		}
		if err := sub.Err(); err != nil && ctx.Err() == nil && !errors.Is(err, event.ErrClosed) {
			t.fail(fmt.Errorf("org%d's subscription: %w", member+1, err))
		}
	}()
	return nil
}
