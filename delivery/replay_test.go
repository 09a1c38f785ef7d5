package delivery_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// bigLog is the size of the event list the replay and back-pressure tests
// run on: the 100,000, under -race too.
const bigLog = 100_000

// largeList is the event list of bigLog rows the replay and back-pressure
// tests share (they only read it), built once per test binary: under
// -race, SQLite (a C library translated to Go) writes ~10,000 rows a
// second, so it is worth building once.
var largeList struct {
	once sync.Once
	dir  string
	rm   *rmsqlite.Store
	ids  []uuid.UUID
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if largeList.rm != nil {
		_ = largeList.rm.Close()
	}
	if largeList.dir != "" {
		_ = os.RemoveAll(largeList.dir)
	}
	os.Exit(code)
}

func sharedEventList(t *testing.T) (*rmsqlite.Store, []uuid.UUID) {
	t.Helper()
	largeList.once.Do(func() {
		if largeList.dir, largeList.err = os.MkdirTemp("", "lm-delivery-test-*"); largeList.err == nil {
			largeList.rm, largeList.ids, largeList.err = bulkEventList(filepath.Join(largeList.dir, "rm.db"), bigLog)
		}
	})
	require.NoError(t, largeList.err)
	return largeList.rm, largeList.ids
}

// bulkEventList writes n message_confirmed rows (sequences 1..n, shaped as
// the events projector writes them) into a new SQLite read model at path
// in bulk, as a rebuild loads one: 10,000 rows a transaction, the
// secondary indexes deferred. They are not built: streams read the list
// by its primary key, and building them would double the time under
// -race. It returns the read model and the rows' ids in order.
func bulkEventList(path string, n int) (_ *rmsqlite.Store, _ []uuid.UUID, err error) {
	ctx := context.Background()
	rm, err := rmsqlite.Open(ctx, rmsqlite.Config{Path: path, DeferIndexes: true},
		[]*projections.Table{projections.EventsTable}, zerolog.Nop())
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if err != nil {
			_ = rm.Close()
		}
	}()
	ids := make([]uuid.UUID, n)
	const chunk = 10_000
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for start := 0; start < n; start += chunk {
		tx, err := rm.Begin(ctx)
		if err != nil {
			return nil, nil, err
		}
		for i := start; i < min(start+chunk, n); i++ {
			ids[i] = uuid.New()
			d := projections.EventDoc{ID: ids[i], Sequence: int64(i + 1), Namespace: "default",
				Type: projections.EventMessageConfirmed, Reference: uuid.NewString(), Tx: fmt.Sprintf("0x%064x", i/10+1),
				Topics: []string{fmt.Sprintf("topic-%03d", i%100)}, Author: fmt.Sprintf("did:lm:org/org%d", i%20),
				Created: created.Add(time.Duration(i) * time.Millisecond)}
			raw, err := json.Marshal(d)
			if err != nil {
				return nil, nil, err
			}
			if err := tx.Put(projections.EventsTable, query.Row{"namespace": d.Namespace, "sequence": d.Sequence,
				"id": [16]byte(d.ID), "type": d.Type, "reference": d.Reference, "tx": d.Tx, "topics": d.Topics,
				"author": d.Author, "created": d.Created}, raw); err != nil {
				return nil, nil, err
			}
		}
		if err := tx.Commit(); err != nil {
			return nil, nil, err
		}
	}
	return rm, ids, nil
}

// TestReplayFromZeroDeliversAllInOrder replays a SQLite event list of
// 100,000 events from offset 0 through an engine stream, with a client
// that acks each event (read-ahead in use, not autoack): every event
// arrives exactly once, in sequence order, and then the stream waits.
func TestReplayFromZeroDeliversAllInOrder(t *testing.T) {
	rm, ids := sharedEventList(t)
	eng := delivery.New(rm, &progress{pos: event.Position(bigLog)}, nil, zerolog.Nop(), delivery.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	zero := uint64(0)
	s, err := eng.Open(ctx, subscription.StreamRequest{Namespace: "default", After: &zero, ReadAhead: 100,
		Filter: subscription.FilterSpec{Events: []string{projections.EventMessageConfirmed}}})
	require.NoError(t, err)
	defer func() { _ = s.Close() }()
	for i := range bigLog {
		d, err := s.Next(ctx)
		require.NoError(t, err, "event %d", i+1)
		if d.Sequence != uint64(i+1) || d.ID != ids[i] { //nolint:gosec // i >= 0
			require.Failf(t, "out of order", "delivery %d is event %d (%s), want %d (%s)", i, d.Sequence, d.ID, i+1, ids[i])
		}
		require.NoError(t, s.Ack(d.ID))
	}
	assert.Zero(t, delivery.InFlight(s))
	blocked(t, s)
}

// TestSlowConsumerOnALargeListHoldsBoundedMemory: a consumer that never acks, with
// 100,000 events available, holds readAhead events in flight and at most
// one page of rows, however long it stalls; the heap does not grow with
// the event list. An ack lets exactly one more event through.
func TestSlowConsumerOnALargeListHoldsBoundedMemory(t *testing.T) {
	rm, ids := sharedEventList(t)
	const readAhead, pageSize = 50, 200
	eng := delivery.New(rm, &progress{pos: event.Position(bigLog)}, nil, zerolog.Nop(), delivery.Options{PageSize: pageSize})
	ctx := context.Background()
	before := heapInUse()

	zero := uint64(0)
	s, err := eng.Open(ctx, subscription.StreamRequest{Namespace: "default", After: &zero, ReadAhead: readAhead})
	require.NoError(t, err)
	defer func() { _ = s.Close() }()
	for i := range readAhead {
		assert.Equal(t, ids[i], next(t, s).ID)
	}
	// The consumer stalls: Next has nothing more to give, for as long as
	// it is asked.
	for range 3 {
		blocked(t, s)
		assert.Equal(t, readAhead, delivery.InFlight(s))
		assert.LessOrEqual(t, delivery.Buffered(s), pageSize, "at most one page read ahead")
	}
	grown := int64(heapInUse()) - int64(before) //nolint:gosec // heap sizes fit
	// The list's documents alone are ~40 MB; a page of them is ~100 kB.
	assert.Less(t, grown, int64(8<<20), "heap grew by %d bytes for a stalled consumer", grown)

	require.NoError(t, s.Ack(ids[0]))
	assert.Equal(t, ids[readAhead], next(t, s).ID)
	blocked(t, s)
	assert.Equal(t, readAhead, delivery.InFlight(s))
}

// heapInUse is the live heap after a collection.
func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
