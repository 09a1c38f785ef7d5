package sqlite

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

func TestTimesAreStoredAsUnixNanoseconds(t *testing.T) {
	s := open(t, testPath(t), widgets)
	first, last := widget("first"), widget("last")
	first["at"] = time.Unix(0, math.MinInt64)
	last["at"] = time.Unix(0, math.MaxInt64).In(time.FixedZone("", 3600))
	commitRows(t, s, widgets, first, last)
	assert.Equal(t, []string{`{"name":"first"}`, `{"name":"last"}`}, findNames(t, s, widgets, "sort=at"))
	assert.Equal(t, []string{`{"name":"last"}`}, findNames(t, s, widgets, "at=2262-04-11T23:47:16.854775807Z"), "to the nanosecond")
	assert.Equal(t, []string{`{"name":"first"}`, `{"name":"last"}`}, findNames(t, s, widgets, "at=>0001-01-01T00:00:00Z&sort=at"))
	assert.Empty(t, findNames(t, s, widgets, "at=>9999-01-01T00:00:00Z"))

	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	for _, at := range []time.Time{time.Date(1600, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC)} {
		row := widget("out")
		row["at"] = at
		err := tx.Put(widgets, row, []byte(`{}`))
		assert.ErrorIs(t, err, projections.ErrInvalidRow, "%s cannot be stored", at)
		assert.ErrorContains(t, err, "1678-2262")
	}
}

func TestValuesOfNamedAndPointerTypes(t *testing.T) {
	s := open(t, testPath(t), widgets, projections.MessagesTable)
	type kind string
	name, size := "w", 7
	id := uuid.MustParse("00112233-4455-6677-8899-aabbccddeeff")
	row := query.Row{projections.NamespaceField: "ns", "name": &name, "size": size, "ref": id, "kind": kind("b"),
		"ok": new(bool), "tags": []string(nil), "note": (*string)(nil)}
	commitRows(t, s, widgets, row)
	assert.Equal(t, []string{`{"name":"w"}`}, findNames(t, s, widgets, "size=7&ref=00112233-4455-6677-8899-AABBCCDDEEFF&kind=b&ok=false"))
	assert.Empty(t, findNames(t, s, widgets, "tags=!x&note="), "nil list and nil pointer are NULL; a NULL note matches nothing")
	doc, found, err := s.Get(ctx(t), widgets, "ns", "w")
	require.NoError(t, err)
	assert.True(t, found)
	assert.JSONEq(t, `{"name":"w"}`, string(doc))
	_, _, err = s.Get(ctx(t), widgets, "ns", 5)
	assert.ErrorIs(t, err, projections.ErrInvalidRow, "a key of the wrong type")
}

func TestManyPutsInOneTransaction(t *testing.T) {
	s := open(t, testPath(t), widgets)
	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	const n = 3*flushRows + 17
	for i := range n {
		require.NoError(t, tx.Put(widgets, widget(strconv.Itoa(i%(n-100))), []byte(strconv.Itoa(i))))
		if i%1000 == 0 {
			doc, found, err := tx.Get(widgets, "ns", strconv.Itoa(i%(n-100)))
			require.NoError(t, err)
			require.True(t, found)
			assert.Equal(t, strconv.Itoa(i), string(doc), "the last Put, written or not")
		}
	}
	doc, found, err := tx.Get(widgets, "ns", "0")
	require.NoError(t, err)
	assert.True(t, found)
	assert.Equal(t, strconv.Itoa(n-100), string(doc), "replaced after a flush")
	require.NoError(t, tx.Commit())
	q, err := query.Parse(widgets.Collection(), mustValues(t, "count=true"))
	require.NoError(t, err)
	_, total, err := s.Find(ctx(t), widgets, "ns", q)
	require.NoError(t, err)
	assert.Equal(t, n-100, total)
	doc, _, err = s.Get(ctx(t), widgets, "ns", "99")
	require.NoError(t, err)
	assert.Equal(t, strconv.Itoa(n-100+99), string(doc))
}

func TestContextEndsTheTransaction(t *testing.T) {
	s := open(t, testPath(t), widgets)
	c, cancel := context.WithCancel(context.Background())
	tx, err := s.Begin(c)
	require.NoError(t, err)
	require.NoError(t, tx.Put(widgets, widget("a"), []byte(`1`)))
	cancel()
	assert.ErrorIs(t, tx.Put(widgets, widget("b"), []byte(`2`)), context.Canceled)
	assert.ErrorIs(t, tx.Commit(), context.Canceled, "Commit rolls back")
	assert.Empty(t, findNames(t, s, widgets, ""))
	commitRows(t, s, widgets, widget("c")) // the writer is free
	assert.Len(t, findNames(t, s, widgets, ""), 1)
}

func TestCloseWaitsForTheTransaction(t *testing.T) {
	s, err := Open(ctx(t), Config{Path: testPath(t)}, []*projections.Table{widgets}, testLog(t))
	require.NoError(t, err)
	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	require.NoError(t, tx.Put(widgets, widget("a"), []byte(`1`)))

	waiting := make(chan error, 1)
	go func() {
		_, err := s.Begin(context.Background())
		waiting <- err
	}()
	closed := make(chan error, 1)
	go func() { closed <- s.Close() }()
	select {
	case err := <-waiting:
		assert.ErrorIs(t, err, ErrClosed, "a Begin waiting for the writer gives up")
	case <-time.After(5 * time.Second):
		t.Fatal("Begin still waits after Close")
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the transaction ended", err)
	case <-time.After(50 * time.Millisecond):
	}
	require.NoError(t, tx.Commit())
	select {
	case err := <-closed:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Close still waits after the transaction ended")
	}
	_, err = s.Begin(ctx(t))
	assert.ErrorIs(t, err, ErrClosed)
	_, err = s.Checkpoints(ctx(t))
	assert.ErrorIs(t, err, ErrClosed)
	_, err = s.Digest(ctx(t))
	assert.ErrorIs(t, err, ErrClosed)
	assert.NoError(t, s.Close(), "Close is idempotent")

	s = open(t, s.cfg.Path, widgets)
	assert.Len(t, findNames(t, s, widgets, ""), 1, "what was committed before Close is there")
}

func TestCheckpointPositions(t *testing.T) {
	s := open(t, testPath(t), widgets)
	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	assert.NoError(t, tx.SetCheckpoint("p", math.MaxInt64))
	assert.Error(t, tx.SetCheckpoint("p", math.MaxInt64+1))
	assert.Error(t, tx.SetCheckpoint("", 1))
	require.NoError(t, tx.Commit())
	cps, err := s.Checkpoints(ctx(t))
	require.NoError(t, err)
	assert.EqualValues(t, math.MaxInt64, cps["p"])
}

// TestDigestEncoding computes the digest of a small read model by hand,
// from the encoding Digest documents, so that another adapter can produce
// the same digest from the same rows.
func TestDigestEncoding(t *testing.T) {
	s := open(t, testPath(t), widgets, projections.MessagesTable)
	at := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	a := query.Row{projections.NamespaceField: "ns", "name": "a", "size": int64(-2), "at": at, "ref": [16]byte{1},
		"sum": [32]byte{2}, "ok": true, "kind": "b", "tags": []string{`"q"`, "\\", "\n", "é"}, "note": "x\x00y"}
	b := query.Row{projections.NamespaceField: "ns", "name": "b", "tags": []string{}}
	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	require.NoError(t, tx.Put(widgets, b, []byte(`{"b":2}`)))
	require.NoError(t, tx.Put(widgets, a, []byte(` {"a": 1} `)))
	require.NoError(t, tx.SetCheckpoint("widgets.v1", 42))
	require.NoError(t, tx.SetCheckpoint("messages.v1", 7))
	require.NoError(t, tx.Commit())
	got, err := s.Digest(ctx(t))
	require.NoError(t, err)

	var w []byte
	str := func(s string) { w = append(binary.AppendUvarint(w, uint64(len(s))), s...) }
	u64 := func(v uint64) { w = binary.BigEndian.AppendUint64(w, v) }
	header := func(tb *projections.Table) {
		w = append(w, 'T')
		str(tb.Name())
		w = binary.AppendUvarint(w, uint64(len(tb.Fields())))
		for _, f := range tb.Fields() {
			str(f.Name)
			w = binary.AppendUvarint(w, uint64(f.Type))
		}
	}
	null := func() { w = append(w, 0) }
	set := func() { w = append(w, 1) }
	w = append(w, "ledgermirror read model digest v1\n"...)
	header(projections.MessagesTable) // no rows
	header(widgets)
	w = append(w, 'R') // a: namespace, name, size, at, ref, sum, ok, kind, tags, note, doc
	set()
	str("ns")
	set()
	str("a")
	set()
	u64(uint64(math.MaxUint64 - 1)) // -2
	set()
	u64(uint64(at.UnixNano()))
	set()
	w = append(w, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	set()
	w = append(w, make([]byte, 32)...)
	w[len(w)-32] = 2
	set()
	w = append(w, 1)
	set()
	str("b")
	set()
	w = binary.AppendUvarint(w, 4)
	for _, e := range []string{`"q"`, "\\", "\n", "é"} {
		str(e)
	}
	set()
	str("x\x00y")
	str(` {"a": 1} `)
	w = append(w, 'R') // b: NULL everywhere but the empty list
	set()
	str("ns")
	set()
	str("b")
	null()
	null()
	null()
	null()
	null()
	null()
	set()
	w = binary.AppendUvarint(w, 0)
	null()
	str(`{"b":2}`)
	w = append(w, 'C', 2)
	str("messages.v1")
	u64(7)
	str("widgets.v1")
	u64(42)
	want := sha256.Sum256(w)
	assert.Equal(t, hex.EncodeToString(want[:]), got)
}

func TestErrorsAreNotSwallowed(t *testing.T) {
	s := open(t, testPath(t), widgets)
	other := projections.NewTable("other", "id", []query.Field{{Name: "id", Type: query.String, Sortable: true}}, nil)
	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	err = tx.Put(other, query.Row{projections.NamespaceField: "ns", "id": "x"}, []byte(`{}`))
	assert.ErrorContains(t, err, "not given to Open")
	assert.False(t, errors.Is(err, projections.ErrInvalidRow))
}

func TestCloseAbandonsAForgottenTransaction(t *testing.T) {
	defer func(d time.Duration) { closeWait = d }(closeWait)
	closeWait = 50 * time.Millisecond
	path := testPath(t)
	s, err := Open(ctx(t), Config{Path: path}, []*projections.Table{widgets}, testLog(t))
	require.NoError(t, err)
	tx, err := s.Begin(ctx(t))
	require.NoError(t, err)
	require.NoError(t, tx.Put(widgets, widget("a"), []byte(`1`)))
	require.NoError(t, s.Close())
	assert.ErrorIs(t, tx.Put(widgets, widget("b"), []byte(`2`)), ErrClosed)
	assert.ErrorIs(t, tx.Commit(), ErrClosed)
	s = open(t, path, widgets)
	assert.Empty(t, findNames(t, s, widgets, ""), "nothing of it was committed")
}
