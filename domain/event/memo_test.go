package event_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func TestMemoComputesOncePerKey(t *testing.T) {
	var m event.Memo
	calls := 0
	compute := func() (any, error) { calls++; return calls, nil }
	v, err := m.Do("a", compute)
	require.NoError(t, err)
	assert.Equal(t, 1, v)
	v, _ = m.Do("a", compute)
	assert.Equal(t, 1, v, "memoised")
	v, _ = m.Do("b", compute)
	assert.Equal(t, 2, v, "another key computes its own value")
	v, _ = m.Do("a", compute)
	assert.Equal(t, 1, v, "and does not replace the first")
	v, _ = m.Do("b", compute)
	assert.Equal(t, 2, v, "both are memoised")

	for _, key := range []string{"c", "d"} {
		_, err := m.Do(key, compute)
		require.NoError(t, err)
	}
	assert.Equal(t, 4, calls)
	v, _ = m.Do("e", compute)
	assert.Equal(t, 5, v, "a fifth key is computed")
	v, _ = m.Do("e", compute)
	assert.Equal(t, 6, v, "every time: the Memo is full")
	v, _ = m.Do("d", compute)
	assert.Equal(t, 4, v)
}

func TestMemoRemembersErrors(t *testing.T) {
	var m event.Memo
	boom := errors.New("boom")
	calls := 0
	for range 3 {
		_, err := m.Do("k", func() (any, error) { calls++; return nil, boom })
		assert.ErrorIs(t, err, boom)
	}
	assert.Equal(t, 1, calls)
}

func TestMemoStoresNothingWhenComputePanics(t *testing.T) {
	var m event.Memo
	assert.Panics(t, func() { _, _ = m.Do("k", func() (any, error) { panic("bad") }) })
	v, err := m.Do("k", func() (any, error) { return "ok", nil })
	require.NoError(t, err)
	assert.Equal(t, "ok", v)
}

func TestWithoutMemoKeepsTheContent(t *testing.T) {
	e := event.Event{Type: "T", Version: 1, Data: []byte(`{}`), Memo: &event.Memo{}}
	got := e.WithoutMemo()
	assert.Nil(t, got.Memo)
	assert.NotNil(t, e.Memo, "e itself is a copy")
	got.Memo = e.Memo
	assert.Equal(t, e, got)
}
