package eventstore

import (
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func (s suite) testAppendNewStream(t *testing.T) {
	store, _ := s.open(t)
	in := evs(3, "ThingHappened")
	res := mustAppend(t, store, "thing-1", event.NoStream(), in...)
	assert.False(t, res.Duplicate)
	assert.Equal(t, event.Revision(3), res.Revision)
	assert.Positive(t, res.FirstPosition)
	assert.Less(t, res.FirstPosition, res.LastPosition)

	got, err := store.ReadStream(ctxFor(t), "thing-1", 0, 0)
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, e := range got {
		assert.Equal(t, in[i].ID, e.ID)
		assert.Equal(t, "thing-1", e.Stream)
		assert.Equal(t, event.Revision(i+1), e.Revision)
		assert.Equal(t, in[i].Type, e.Type)
		assert.Equal(t, in[i].Version, e.Version)
		assert.JSONEq(t, string(in[i].Data), string(e.Data))
	}
	assert.Equal(t, res.FirstPosition, got[0].Position)
	assert.Equal(t, res.LastPosition, got[2].Position)
	if !s.h.Features.PositionGaps {
		assert.Equal(t, []event.Position{1, 2, 3}, positions(got))
	}
}

func (s suite) testExpectedRevision(t *testing.T) {
	store, _ := s.open(t)
	mustAppend(t, store, "order-1", event.NoStream(), evs(3, "OrderPlaced")...)

	wrong := func(exp event.ExpectedRevision, stream string, actual event.Revision) {
		t.Helper()
		_, err := store.Append(ctxFor(t), stream, exp, ev("OrderPlaced", `{}`))
		require.Error(t, err)
		assert.ErrorIs(t, err, event.ErrWrongRevision)
		var wre *event.WrongRevisionError
		if assert.ErrorAs(t, err, &wre) {
			assert.Equal(t, stream, wre.Stream)
			assert.Equal(t, exp, wre.Expected)
			assert.Equal(t, actual, wre.Actual)
		}
	}
	wrong(event.NoStream(), "order-1", 3)
	wrong(event.Exact(0), "order-1", 3)
	wrong(event.Exact(2), "order-1", 3)
	wrong(event.Exact(4), "order-1", 3)
	wrong(event.Exact(1), "order-missing", 0)

	got, err := store.ReadStream(ctxFor(t), "order-1", 0, 0)
	require.NoError(t, err)
	assert.Len(t, got, 3, "a failed append stores nothing")
	got, err = store.ReadStream(ctxFor(t), "order-missing", 0, 0)
	require.NoError(t, err)
	assert.Empty(t, got)

	assert.Equal(t, event.Revision(4), mustAppend(t, store, "order-1", event.Exact(3), ev("OrderPaid", `{}`)).Revision)
	assert.Equal(t, event.Revision(6), mustAppend(t, store, "order-1", event.Any(), evs(2, "OrderShipped")...).Revision)
	assert.Equal(t, event.Revision(1), mustAppend(t, store, "order-2", event.Any(), ev("OrderPlaced", `{}`)).Revision)
	assert.Equal(t, event.Revision(1), mustAppend(t, store, "order-3", event.Exact(0), ev("OrderPlaced", `{}`)).Revision)
}

func (s suite) testIdempotentRetry(t *testing.T) {
	store, _ := s.open(t)
	in := evs(2, "PaymentReceived")
	first := mustAppend(t, store, "payment-1", event.NoStream(), in...)
	mustAppend(t, store, "payment-2", event.NoStream(), ev("PaymentReceived", `{}`))
	head, err := store.Head(ctxFor(t))
	require.NoError(t, err)

	// Whatever the expected revision says, a retry of the same append is a no-op.
	for _, exp := range []event.ExpectedRevision{event.NoStream(), event.Exact(2), event.Exact(7), event.Any()} {
		res, err := store.Append(ctxFor(t), "payment-1", exp, in...)
		require.NoError(t, err, "retry with expected %s", exp)
		assert.True(t, res.Duplicate)
		assert.Equal(t, first.FirstPosition, res.FirstPosition)
		assert.Equal(t, first.LastPosition, res.LastPosition)
		assert.Equal(t, first.Revision, res.Revision)
	}

	// Insignificant whitespace and metadata do not make it different content.
	retry := append([]event.Proposed(nil), in...)
	retry[0].Data = []byte(" { \"n\" : 0 } ")
	retry[1].Metadata = event.Metadata{CorrelationID: "another-request"}
	res, err := store.Append(ctxFor(t), "payment-1", event.Any(), retry...)
	require.NoError(t, err)
	assert.True(t, res.Duplicate)

	// A retry of the tail of an append is all stored: also a no-op.
	res, err = store.Append(ctxFor(t), "payment-1", event.NoStream(), in[1])
	require.NoError(t, err)
	assert.True(t, res.Duplicate)
	assert.Equal(t, first.LastPosition, res.FirstPosition)
	assert.Equal(t, first.LastPosition, res.LastPosition)
	assert.Equal(t, event.Revision(2), res.Revision)

	after, err := store.Head(ctxFor(t))
	require.NoError(t, err)
	assert.Equal(t, head, after, "retries store nothing")
	all := readAll(t, store)
	assert.Len(t, all, 3)
}

func (s suite) testDuplicateDifferentContent(t *testing.T) {
	store, _ := s.open(t)
	orig := ev("InvoiceIssued", `{"amount":1}`)
	mustAppend(t, store, "invoice-1", event.NoStream(), orig)

	changed := map[string]event.Proposed{}
	p := orig
	p.Data = []byte(`{"amount":2}`)
	changed["data"] = p
	p = orig
	p.Type = "InvoiceVoided"
	changed["type"] = p
	p = orig
	p.Version = 2
	changed["version"] = p
	for what, p := range changed {
		_, err := store.Append(ctxFor(t), "invoice-1", event.Any(), p)
		require.Error(t, err, "same id, different %s", what)
		assert.ErrorIs(t, err, event.ErrDuplicateEventID, what)
		var dup *event.DuplicateEventIDError
		if assert.ErrorAs(t, err, &dup, what) {
			assert.Equal(t, orig.ID, dup.ID, what)
		}
	}
	// The same event in another stream is another event with the same id.
	_, err := store.Append(ctxFor(t), "invoice-2", event.Any(), orig)
	assert.ErrorIs(t, err, event.ErrDuplicateEventID)

	got, err := store.ReadStream(ctxFor(t), "invoice-2", 0, 0)
	require.NoError(t, err)
	assert.Empty(t, got)
	assert.Len(t, readAll(t, store), 1)
}

func (s suite) testPartialRetry(t *testing.T) {
	store, _ := s.open(t)
	in := evs(2, "ShipmentBooked")
	mustAppend(t, store, "shipment-1", event.NoStream(), in...)

	fresh := ev("ShipmentBooked", `{"n":9}`)
	_, err := store.Append(ctxFor(t), "shipment-1", event.Any(), in[0], fresh)
	require.Error(t, err)
	assert.ErrorIs(t, err, event.ErrDuplicateEventID)
	var dup *event.DuplicateEventIDError
	require.ErrorAs(t, err, &dup)
	assert.Contains(t, []uuid.UUID{in[0].ID, fresh.ID}, dup.ID)

	got, err := store.ReadStream(ctxFor(t), "shipment-1", 0, 0)
	require.NoError(t, err)
	assert.Len(t, got, 2, "nothing of a partial retry is stored")
}

// testConcurrentFailAlone races appends that must fail (same stream, NoStream;
// retries with changed content) against appends that must succeed. Stores
// that commit concurrent appends together must still judge each on its own.
func (s suite) testConcurrentFailAlone(t *testing.T) {
	store, _ := s.open(t)
	taken := ev("SeatTaken", `{}`)
	mustAppend(t, store, "seat-0", event.NoStream(), taken)
	clash := taken
	clash.Data = []byte(`{"other":true}`)

	const n = 16
	var wg sync.WaitGroup
	var mu sync.Mutex
	var raceWins, raceLosses, okAppends int
	for i := range n {
		wg.Add(3)
		go func() { // one winner among n
			defer wg.Done()
			_, err := store.Append(ctxFor(t), "seat-1", event.NoStream(), ev("SeatTaken", `{}`))
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				raceWins++
			} else if assert.ErrorIs(t, err, event.ErrWrongRevision) {
				raceLosses++
			}
		}()
		go func() { // always fails
			defer wg.Done()
			_, err := store.Append(ctxFor(t), "seat-0", event.Any(), clash)
			assert.ErrorIs(t, err, event.ErrDuplicateEventID)
		}()
		go func() { // always succeeds
			defer wg.Done()
			_, err := store.Append(ctxFor(t), "guest-"+uuid.NewString(), event.NoStream(), evs(1+i%3, "GuestArrived")...)
			if assert.NoError(t, err) {
				mu.Lock()
				okAppends++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, raceWins)
	assert.Equal(t, n-1, raceLosses)
	assert.Equal(t, n, okAppends)
	got, err := store.ReadStream(ctxFor(t), "seat-1", 0, 0)
	require.NoError(t, err)
	assert.Len(t, got, 1)
}

func (s suite) testInvalidInput(t *testing.T) {
	store, _ := s.open(t)
	valid := func() event.Proposed { return ev("ThingHappened", `{}`) }
	with := func(f func(*event.Proposed)) []event.Proposed {
		p := valid()
		f(&p)
		return []event.Proposed{p}
	}
	dupID := valid()
	cases := []struct {
		name   string
		stream string
		events []event.Proposed
	}{
		{"empty stream", "", []event.Proposed{valid()}},
		{"stream too long", strings.Repeat("s", event.MaxStreamLength+1), []event.Proposed{valid()}},
		{"control character in stream", "thing\n1", []event.Proposed{valid()}},
		{"no events", "thing-1", nil},
		{"zero id", "thing-1", with(func(p *event.Proposed) { p.ID = uuid.Nil })},
		{"empty type", "thing-1", with(func(p *event.Proposed) { p.Type = "" })},
		{"type not UpperCamelCase", "thing-1", with(func(p *event.Proposed) { p.Type = "thing.happened" })},
		{"version 0", "thing-1", with(func(p *event.Proposed) { p.Version = 0 })},
		{"nil data", "thing-1", with(func(p *event.Proposed) { p.Data = nil })},
		{"data not JSON", "thing-1", with(func(p *event.Proposed) { p.Data = []byte(`{"a":`) })},
		{"same id twice", "thing-1", []event.Proposed{dupID, dupID}},
	}
	for _, tc := range cases {
		_, err := store.Append(ctxFor(t), tc.stream, event.Any(), tc.events...)
		assert.ErrorIs(t, err, event.ErrInvalidEvent, tc.name)
	}
	// A hand-built ExpectedRevision (other than the zero value, which is Any)
	// cannot be made outside package event, so ErrInvalidRevision is covered
	// by event's own tests; Exact(0) must mean NoStream, not an error.
	_, err := store.Append(ctxFor(t), "thing-1", event.Exact(0), valid())
	assert.NoError(t, err)
	var zero event.ExpectedRevision
	_, err = store.Append(ctxFor(t), "thing-1", zero, valid())
	assert.NoError(t, err, "the zero ExpectedRevision is Any")

	assert.Len(t, readAll(t, store), 2, "invalid appends store nothing")
}

func (s suite) testLargeEvent(t *testing.T) {
	store, _ := s.open(t)
	body := `{"blob":"` + strings.Repeat("0123456789abcdef", 1<<16) + `"}` // a little over 1 MiB
	big := ev("DocumentStored", body)
	res := mustAppend(t, store, "document-1", event.NoStream(), big, ev("DocumentIndexed", `{}`))
	got, err := store.ReadAll(ctxFor(t), res.FirstPosition-1, 2)
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, big.ID, got[0].ID)
	// Compared compacted (a store may reformat JSON) and without a diff of a
	// megabyte on failure.
	assert.True(t, string(event.CompactJSON(got[0].Data)) == body, "1 MiB body round-trips (got %d bytes)", len(got[0].Data))
}
