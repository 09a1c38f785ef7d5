package readmodel

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

func message(ns string, id uuid.UUID, state string) query.Row {
	return query.Row{
		projections.NamespaceField: ns, "id": [16]byte(id), "type": "broadcast", "author": "did:org:a",
		"key": "0xabc", "topics": []string{"t1"}, "created": time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC),
		"state": state, "hash": [32]byte{1},
	}
}

func (s suite) testPutGetReplace(t *testing.T) {
	st := s.store(t)
	id := uuid.MustParse("6f1c8a34-7c1e-4f7a-9d2b-0123456789ab")
	commit(t, st, func(tx projections.Tx) {
		put(t, tx, ThingsTable, thing("ns", "a"), docOf(map[string]int{"v": 1}))
		put(t, tx, projections.MessagesTable, message("ns", id, projections.StatePending), docOf("m1"))
	})
	assert.JSONEq(t, `{"v":1}`, get(t, st, ThingsTable, "ns", "a"))
	assert.JSONEq(t, `"m1"`, get(t, st, projections.MessagesTable, "ns", [16]byte(id)), "key as [16]byte")
	assert.JSONEq(t, `"m1"`, get(t, st, projections.MessagesTable, "ns", id), "key as uuid.UUID, a named [16]byte")
	assert.Empty(t, get(t, st, ThingsTable, "ns", "b"), "a key never put is absent")
	assert.Empty(t, get(t, st, projections.MessagesTable, "ns", uuid.New()))

	commit(t, st, func(tx projections.Tx) {
		row := thing("ns", "a")
		row["label"] = "changed"
		put(t, tx, ThingsTable, row, docOf(map[string]int{"v": 2}))
		put(t, tx, projections.MessagesTable, message("ns", id, projections.StateConfirmed), docOf("m2"))
	})
	assert.JSONEq(t, `{"v":2}`, get(t, st, ThingsTable, "ns", "a"), "put replaces the row")
	docs, total := find(t, st, ThingsTable, "ns", "count=true")
	assert.Equal(t, []string{`{"v":2}`}, docs, "the old row is gone")
	assert.Equal(t, 1, total)
	docs, _ = find(t, st, ThingsTable, "ns", "label=changed")
	assert.Len(t, docs, 1, "the columns are replaced with the document")
	docs, _ = find(t, st, projections.MessagesTable, "ns", "state=pending")
	assert.Empty(t, docs)
	docs, _ = find(t, st, projections.MessagesTable, "ns", "state=confirmed")
	assert.Equal(t, []string{`"m2"`}, docs)
}

func (s suite) testDocumentsAreVerbatim(t *testing.T) {
	st := s.store(t)
	docs := []string{`{ "b" : 2,  "a": [1, 2.50, "\u00e9"] }`, "  \"x\"\n", `{"big":123456789012345678901234567890}`}
	commit(t, st, func(tx projections.Tx) {
		for i, d := range docs {
			put(t, tx, ThingsTable, thing("ns", strconv.Itoa(i)), []byte(d))
		}
	})
	for i, d := range docs {
		assert.Equal(t, d, get(t, st, ThingsTable, "ns", strconv.Itoa(i)), "Get returns the bytes that were put")
	}
	got, _ := find(t, st, ThingsTable, "ns", "sort=name")
	assert.Equal(t, docs, got, "so does Find")
}

func (s suite) testRollbackLeavesNothing(t *testing.T) {
	st := s.store(t)
	tx, err := st.Begin(ctxFor(t))
	require.NoError(t, err)
	put(t, tx, ThingsTable, thing("ns", "a"), docOf(1))
	require.NoError(t, tx.SetCheckpoint("things.v1", 10))
	require.NoError(t, tx.Rollback())

	assert.Empty(t, get(t, st, ThingsTable, "ns", "a"))
	docs, total := find(t, st, ThingsTable, "ns", "count=true")
	assert.Empty(t, docs)
	assert.Zero(t, total)
	cps, err := st.Checkpoints(ctxFor(t))
	require.NoError(t, err)
	assert.Empty(t, cps)

	commit(t, st, func(tx projections.Tx) {
		assert.Empty(t, txGet(t, tx, ThingsTable, "ns", "a"), "a later transaction does not see it either")
		put(t, tx, ThingsTable, thing("ns", "b"), docOf(2))
	})
	assert.NotEmpty(t, get(t, st, ThingsTable, "ns", "b"), "the store works after a rollback")
}

func (s suite) testReadYourWrites(t *testing.T) {
	st := s.store(t)
	commit(t, st, func(tx projections.Tx) { put(t, tx, ThingsTable, thing("ns", "old"), docOf("old v1")) })

	tx, err := st.Begin(ctxFor(t))
	require.NoError(t, err)
	put(t, tx, ThingsTable, thing("ns", "new"), docOf("new"))
	put(t, tx, ThingsTable, thing("ns", "old"), docOf("old v2"))
	assert.Equal(t, `"new"`, txGet(t, tx, ThingsTable, "ns", "new"), "the transaction sees its own insert")
	assert.Equal(t, `"old v2"`, txGet(t, tx, ThingsTable, "ns", "old"), "and its own replacement")
	assert.Empty(t, txGet(t, tx, ThingsTable, "other", "new"), "in its namespace only")

	assert.Empty(t, get(t, st, ThingsTable, "ns", "new"), "readers see committed rows only")
	assert.Equal(t, `"old v1"`, get(t, st, ThingsTable, "ns", "old"))
	docs, _ := find(t, st, ThingsTable, "ns", "")
	assert.Equal(t, []string{`"old v1"`}, docs)

	require.NoError(t, tx.Commit())
	assert.Equal(t, `"new"`, get(t, st, ThingsTable, "ns", "new"))
	assert.Equal(t, `"old v2"`, get(t, st, ThingsTable, "ns", "old"))
}

func (s suite) testCheckpointsCommitWithRows(t *testing.T) {
	st := s.store(t)
	cps, err := st.Checkpoints(ctxFor(t))
	require.NoError(t, err)
	assert.Empty(t, cps, "a projector never run is absent")

	tx, err := st.Begin(ctxFor(t))
	require.NoError(t, err)
	put(t, tx, ThingsTable, thing("ns", "a"), docOf(1))
	require.NoError(t, tx.SetCheckpoint("things.v1", 10))
	require.NoError(t, tx.SetCheckpoint("messages.v1", 3))
	cps, err = st.Checkpoints(ctxFor(t))
	require.NoError(t, err)
	assert.Empty(t, cps, "checkpoints are not visible before commit")
	require.NoError(t, tx.Commit())

	cps, err = st.Checkpoints(ctxFor(t))
	require.NoError(t, err)
	assert.Equal(t, map[string]event.Position{"things.v1": 10, "messages.v1": 3}, cps)
	assert.NotEmpty(t, get(t, st, ThingsTable, "ns", "a"), "the rows committed with them")

	commit(t, st, func(tx projections.Tx) {
		require.NoError(t, tx.SetCheckpoint("things.v1", 11))
		require.NoError(t, tx.SetCheckpoint("things.v1", 12))
	})
	cps, err = st.Checkpoints(ctxFor(t))
	require.NoError(t, err)
	assert.Equal(t, map[string]event.Position{"things.v1": 12, "messages.v1": 3}, cps, "the last one set wins")
}

func (s suite) testNamespacesAreIsolated(t *testing.T) {
	st := s.store(t)
	commit(t, st, func(tx projections.Tx) {
		for _, ns := range []string{"a", "b", "A", "a "} {
			put(t, tx, ThingsTable, thing(ns, "k"), docOf(ns))
		}
		put(t, tx, ThingsTable, thing("a", "only-a"), docOf("only-a"))
	})
	for _, ns := range []string{"a", "b", "A", "a "} {
		assert.Equal(t, string(docOf(ns)), get(t, st, ThingsTable, ns, "k"), "namespaces are compared exactly")
	}
	assert.Empty(t, get(t, st, ThingsTable, "b", "only-a"))
	docs, total := find(t, st, ThingsTable, "b", "count=true")
	assert.Equal(t, []string{`"b"`}, docs)
	assert.Equal(t, 1, total)
	docs, total = find(t, st, ThingsTable, "a", "count=true&sort=name")
	assert.Equal(t, []string{`"a"`, `"only-a"`}, docs)
	assert.Equal(t, 2, total)
	docs, _ = find(t, st, ThingsTable, "c", "")
	assert.Empty(t, docs)
}

func (s suite) testInvalidRows(t *testing.T) {
	st := s.store(t)
	tx, err := st.Begin(ctxFor(t))
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	bad := map[string]func(query.Row){
		"no key":            func(r query.Row) { delete(r, "name") },
		"NULL key":          func(r query.Row) { r["name"] = nil },
		"no namespace":      func(r query.Row) { delete(r, projections.NamespaceField) },
		"int for a string":  func(r query.Row) { r["label"] = 5 },
		"string for an int": func(r query.Row) { r["amount"] = "5" },
		"bytes for a uuid":  func(r query.Row) { r["ref"] = []byte{1} },
		"unknown field":     func(r query.Row) { r["colour"] = "red" },
		"enum value":        func(r query.Row) { r["kind"] = "purple" },
		"list of ints":      func(r query.Row) { r["tags"] = []int{1} },
	}
	for name, spoil := range bad {
		row := thing("ns", "bad-"+name)
		spoil(row)
		err := tx.Put(ThingsTable, row, docOf(1))
		assert.ErrorIs(t, err, projections.ErrInvalidRow, name)
	}
	err = tx.Put(ThingsTable, thing("ns", "bad doc"), []byte(`{"unterminated`))
	assert.ErrorIs(t, err, projections.ErrInvalidRow, "a document that is not JSON")

	// A refused row is not stored, and the transaction goes on.
	put(t, tx, ThingsTable, thing("ns", "good"), docOf("good"))
	require.NoError(t, tx.Commit())
	docs, total := find(t, st, ThingsTable, "ns", "count=true")
	assert.Equal(t, []string{`"good"`}, docs)
	assert.Equal(t, 1, total)
}

func (s suite) testTransactionsAreSerialised(t *testing.T) {
	st := s.store(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 4 {
		wg.Go(func() {
			for i := range 5 {
				tx, err := st.Begin(ctxFor(t))
				if err != nil {
					errs <- err
					return
				}
				name := strconv.Itoa(w) + "-" + strconv.Itoa(i)
				if err := tx.Put(ThingsTable, thing("ns", name), docOf(name)); err != nil {
					_ = tx.Rollback()
					errs <- err
					return
				}
				if err := errors.Join(tx.SetCheckpoint("w"+strconv.Itoa(w), event.Position(i+1)), tx.Commit()); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	_, total := find(t, st, ThingsTable, "ns", "count=true")
	assert.Equal(t, 20, total)
	cps, err := st.Checkpoints(ctxFor(t))
	require.NoError(t, err)
	assert.Equal(t, map[string]event.Position{"w0": 5, "w1": 5, "w2": 5, "w3": 5}, cps)

	// A Begin waiting for the writer gives up when its context ends.
	tx, err := st.Begin(ctxFor(t))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	type begun struct {
		tx  projections.Tx
		err error
	}
	second := make(chan begun, 1)
	go func() {
		tx2, err := st.Begin(ctx)
		second <- begun{tx2, err}
	}()
	select {
	case b := <-second:
		if b.err == nil {
			// An adapter may allow concurrent transactions; then both must work.
			put(t, b.tx, ThingsTable, thing("ns", "tx2"), docOf("tx2"))
			require.NoError(t, b.tx.Commit())
		} else {
			assert.ErrorIs(t, b.err, context.DeadlineExceeded)
		}
	case <-time.After(10 * time.Second):
		t.Error("Begin waits for the writer past the end of its context")
	}
	require.NoError(t, tx.Rollback())
}

func (s suite) testEndedTransaction(t *testing.T) {
	st := s.store(t)
	tx, err := st.Begin(ctxFor(t))
	require.NoError(t, err)
	put(t, tx, ThingsTable, thing("ns", "a"), docOf(1))
	require.NoError(t, tx.Commit())
	assert.Error(t, tx.Put(ThingsTable, thing("ns", "b"), docOf(2)), "Put after Commit")
	assert.Error(t, tx.SetCheckpoint("p", 1), "SetCheckpoint after Commit")
	assert.Error(t, tx.Commit(), "a second Commit")
	assert.Empty(t, get(t, st, ThingsTable, "ns", "b"))
	cps, err := st.Checkpoints(ctxFor(t))
	require.NoError(t, err)
	assert.Empty(t, cps)

	// The writer is free again: this would block if it were not.
	commit(t, st, func(tx projections.Tx) { put(t, tx, ThingsTable, thing("ns", "c"), docOf(3)) })
}

func (s suite) testClose(t *testing.T) {
	st := s.open(t, Tables())
	commit(t, st, func(tx projections.Tx) { put(t, tx, ThingsTable, thing("ns", "a"), docOf(1)) })
	require.NoError(t, st.Close())
	_, err := st.Begin(ctxFor(t))
	assert.Error(t, err, "Begin after Close")
	_, _, err = st.Find(ctxFor(t), ThingsTable, "ns", parse(t, ThingsTable, ""))
	assert.Error(t, err, "Find after Close")
	_, _, err = st.Get(ctxFor(t), ThingsTable, "ns", "a")
	assert.Error(t, err, "Get after Close")
}
