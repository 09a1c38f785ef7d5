package event

import (
	"slices"
	"sync"
	"sync/atomic"
)

// Memo holds values derived from one stored event, each computed once and
// shared by every reader handed the same event instance. A store that serves
// one read of an event to several subscribers (the SQLite store's live tail)
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
	mu sync.Mutex // serialises computing and adding values
	// values is replaced, never changed, so readers need no lock.
	values atomic.Pointer[[]memoValue]
}

type memoValue struct {
	key any
	val any
	err error
}

// memoKeys bounds the values one Memo keeps: a member decodes with one
// catalogue, or a few if some components build their own.
const memoKeys = 4

// Do returns the value memoised under key, computing it with compute on the
// first call for key; concurrent first callers wait for that one
// computation. An error is memoised like a value. key names what compute
// derives (the decoder; it must be comparable), so a caller with another key
// never gets a value it did not ask for. If compute panics nothing is stored
// and the next caller computes again; once memoKeys keys are held, other keys
// compute every time, unshared.
func (m *Memo) Do(key any, compute func() (any, error)) (any, error) {
	if v, ok := m.find(key); ok {
		return v.val, v.err
	}
	if v, ok := m.fill(key, compute); ok {
		return v.val, v.err
	}
	return compute()
}

func (m *Memo) find(key any) (memoValue, bool) {
	if p := m.values.Load(); p != nil {
		for _, v := range *p {
			if v.key == key {
				return v, true
			}
		}
	}
	return memoValue{}, false
}

// fill computes and adds key's value, unless another caller did meanwhile;
// false if the Memo is full.
func (m *Memo) fill(key any, compute func() (any, error)) (memoValue, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if v, ok := m.find(key); ok {
		return v, true
	}
	var values []memoValue
	if p := m.values.Load(); p != nil {
		values = *p
	}
	if len(values) >= memoKeys {
		return memoValue{}, false
	}
	val, err := compute()
	v := memoValue{key: key, val: val, err: err}
	next := append(slices.Clip(values), v) // a new array: readers may hold the old one
	m.values.Store(&next)
	return v, true
}

// WithoutMemo returns e with Memo cleared: the event's content, for
// comparing events read by different paths.
func (e Event) WithoutMemo() Event {
	e.Memo = nil
	return e
}
