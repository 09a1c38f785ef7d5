package event

import (
	"sync"
	"sync/atomic"
)

// Memo holds a value derived from one stored event, computed once and shared
// by every reader handed the same event instance. A store that serves one
// read of an event to several subscribers (the SQLite store's live tail)
// gives them one Memo, so the event's payload is decoded once per member
// instead of once per subscriber.
//
// Whatever a Memo holds is shared between goroutines: consumers must treat
// it as immutable, and copy a slice, map or pointed-to value before changing
// it in place.
//
// The zero Memo is ready to use. A Memo is not part of an event's content:
// compare events with Memo cleared (see WithoutMemo).
type Memo struct {
	done atomic.Bool
	mu   sync.Mutex
	key  any
	val  any
	err  error
}

// Do returns the value memoised under key, computing it with compute on the
// first call; concurrent first callers wait for that one computation. An
// error is memoised like a value. key names what compute derives (the
// decoder; it must be comparable), so a caller with another key never gets a value it did not ask
// for: it computes its own, unshared. If compute panics nothing is stored and
// the next caller computes again.
func (m *Memo) Do(key any, compute func() (any, error)) (any, error) {
	if !m.done.Load() {
		m.fill(key, compute)
	}
	if m.key != key {
		return compute()
	}
	return m.val, m.err
}

func (m *Memo) fill(key any, compute func() (any, error)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.done.Load() {
		return
	}
	val, err := compute()
	m.key, m.val, m.err = key, val, err
	m.done.Store(true)
}

// WithoutMemo returns e with Memo cleared: the event's content, for
// comparing events read by different paths.
func (e Event) WithoutMemo() Event {
	e.Memo = nil
	return e
}
