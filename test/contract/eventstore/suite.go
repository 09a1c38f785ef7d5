// Package eventstore is the contract suite of the event-store port
// (domain/event.Store). Every adapter runs it from a _test.go file:
//
//	eventstore.Run(t, eventstore.Harness{New: ...})
//
// An adapter is done when the suite passes. What an adapter may legitimately
// lack is declared in Features; everything else is the contract, and the
// zero Features asks for all of it.
package eventstore

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Harness opens stores for the suite.
type Harness struct {
	// New opens a fresh, empty store for one test, and returns a function
	// that opens the same store again once it has been closed (nil when
	// Features.NoReopen). The suite closes what it opens; New should also
	// register its own cleanup (t.Cleanup) for anything else it created.
	New func(t *testing.T) (store event.Store, reopen func(t *testing.T) event.Store)
	// Features lists what this adapter lacks.
	Features Features
}

// Features are the parts of the contract an adapter may legitimately lack.
// The zero value lacks nothing.
type Features struct {
	// NoReopen: nothing survives Close (an in-memory store); the close and
	// reopen tests are skipped.
	NoReopen bool
	// PositionGaps: positions are strictly increasing but may skip numbers
	// (e.g. positions that are log offsets). Without it, the suite also
	// checks that committed positions are 1, 2, 3, ... with no hole.
	PositionGaps bool
}

// Run runs the whole contract against the harness, one subtest per rule.
func Run(t *testing.T, h Harness) {
	require.NotNil(t, h.New, "Harness.New is required")
	s := suite{h: h}
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"Append/NewStream", s.testAppendNewStream},
		{"Append/ExpectedRevision", s.testExpectedRevision},
		{"Append/IdempotentRetry", s.testIdempotentRetry},
		{"Append/DuplicateIDDifferentContent", s.testDuplicateDifferentContent},
		{"Append/PartialRetry", s.testPartialRetry},
		{"Append/ConcurrentAppendsFailAlone", s.testConcurrentFailAlone},
		{"Append/InvalidInput", s.testInvalidInput},
		{"Append/LargeEvent", s.testLargeEvent},
		{"Append/MetadataAndRecorded", s.testMetadataAndRecorded},
		{"Read/StreamOrder", s.testReadStream},
		{"Read/GlobalOrder", s.testReadAll},
		{"Read/Head", s.testHead},
		{"Read/HugeLimit", s.testHugeLimit},
		{"Subscribe/FromZeroMiddleAndHead", s.testSubscribeStartPoints},
		{"Subscribe/Filter", s.testSubscribeFilter},
		{"Subscribe/ConcurrentAppendersAndSubscribers", s.testConcurrentAppendersAndSubscribers},
		{"Subscribe/Ending", s.testSubscriptionEnding},
		{"Cancel/PromptReturn", s.testCancelPrompt},
		{"Cancel/AppendResultIsTruthful", s.testCancelTruthful},
		{"Lifecycle/CloseAndReopen", s.testCloseAndReopen},
		{"Lifecycle/AfterClose", s.testAfterClose},
		{"Lifecycle/CloseRacesSubscribe", s.testCloseRacesSubscribe},
	} {
		t.Run(tc.name, tc.fn)
	}
}

type suite struct{ h Harness }

// prompt is how long an operation may take to notice a cancelled context or
// a closed store.
const prompt = time.Second

// open returns a fresh store, closed when the test ends.
func (s suite) open(t *testing.T) (event.Store, func(t *testing.T) event.Store) {
	t.Helper()
	store, reopen := s.h.New(t)
	require.NotNil(t, store)
	t.Cleanup(func() { _ = store.Close() })
	return store, reopen
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// ev is a valid proposed event with a fresh id.
func ev(typ, data string) event.Proposed {
	return event.Proposed{ID: uuid.New(), Type: typ, Version: 1, Data: []byte(data)}
}

func evs(n int, typ string) []event.Proposed {
	out := make([]event.Proposed, n)
	for i := range out {
		out[i] = ev(typ, `{"n":`+strconv.Itoa(i)+`}`)
	}
	return out
}

func mustAppend(t *testing.T, store event.Store, stream string, exp event.ExpectedRevision, events ...event.Proposed) event.AppendResult {
	t.Helper()
	res, err := store.Append(ctxFor(t), stream, exp, events...)
	require.NoError(t, err)
	return res
}

// readAll pages through the whole store.
func readAll(t *testing.T, store event.Store) []event.Event {
	t.Helper()
	var out []event.Event
	var after event.Position
	for {
		page, err := store.ReadAll(ctxFor(t), after, 500)
		require.NoError(t, err)
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Position
	}
}

// within fails the test if fn does not return within d.
func within(t *testing.T, d time.Duration, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not return within %s", what, d)
	}
}

// collect reads n events from sub, failing after a timeout.
//
// Events are returned without their Memo, which is not content: a store may
// share one between subscribers (the SQLite live tail does), while ReadAll
// returns none.
func collect(t *testing.T, sub event.Subscription, n int) []event.Event {
	t.Helper()
	out := make([]event.Event, 0, n)
	timeout := time.After(20 * time.Second)
	for len(out) < n {
		select {
		case e, ok := <-sub.Events():
			if !ok {
				t.Fatalf("subscription ended after %d of %d events: %v", len(out), n, sub.Err())
			}
			out = append(out, e.WithoutMemo())
		case <-timeout:
			t.Fatalf("received %d of %d events before the timeout", len(out), n)
		}
	}
	return out
}

// quiet asserts that sub delivers nothing for a short while.
func quiet(t *testing.T, sub event.Subscription) {
	t.Helper()
	select {
	case e, ok := <-sub.Events():
		if ok {
			t.Fatalf("unexpected event at position %d (%s)", e.Position, e.Stream)
		}
		t.Fatalf("subscription ended unexpectedly: %v", sub.Err())
	case <-time.After(100 * time.Millisecond):
	}
}

func positions(events []event.Event) []event.Position {
	out := make([]event.Position, len(events))
	for i, e := range events {
		out[i] = e.Position
	}
	return out
}
