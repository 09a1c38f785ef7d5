package sqlite

import (
	"context"
	"sync/atomic"

	"github.com/ledgermirror/ledgermirror/adapters/internal/sqliteerr"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Append implements event.Store. It validates and encodes the events on the
// caller's goroutine, then queues them for the writer, which commits them
// together with whatever other appends are queued (group commit).
//
// Cancellation: while the append waits in the queue, ctx cancellation removes
// it and Append returns ctx.Err() with nothing stored. Once the writer has
// taken it into a transaction it is no longer withdrawn (the writer still
// skips it if ctx is already done when its turn in the transaction comes);
// Append then waits for that transaction, a few milliseconds, and returns its
// outcome, so a returned result is always true.
func (s *Store) Append(ctx context.Context, stream string, expected event.ExpectedRevision, events ...event.Proposed) (event.AppendResult, error) {
	if s.closed.Load() {
		return event.AppendResult{}, event.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return event.AppendResult{}, err
	}
	if err := event.ValidateAppend(stream, expected, events); err != nil {
		return event.AppendResult{}, err
	}
	return s.writer.submit(ctx, newAppendRequest(ctx, stream, expected, events))
}

// Request states: the writer claims a pending request, or the caller abandons
// it; whoever moves it out of pending first decides.
const (
	reqPending int32 = iota
	reqClaimed
	reqAbandoned
)

// appendRequest is one Append travelling to the writer and back.
type appendRequest struct {
	ctx      context.Context
	stream   string
	expected event.ExpectedRevision
	events   []event.Proposed

	// Encoded on the caller's goroutine so the writer only binds them.
	streamArg any
	rows      []rowArgs
	bytes     int
	// stored are the events as a read will return them, less what the
	// writer assigns (position, revision, recorded); the writer completes
	// them for the live tail.
	stored []event.Event

	state atomic.Int32
	done  chan struct{} // closed by the writer once result/err are final

	result event.AppendResult
	err    error
}

// rowArgs are one event's insert arguments, boxed once.
type rowArgs struct {
	id      any // []byte, 16 bytes
	typ     any // string
	version any // int64
	data    any // string: the JSON exactly as appended
	meta    any // string (JSON) or nil for empty metadata
}

func newAppendRequest(ctx context.Context, stream string, expected event.ExpectedRevision, events []event.Proposed) *appendRequest {
	r := &appendRequest{
		ctx:       ctx,
		stream:    stream,
		expected:  expected,
		events:    events,
		streamArg: stream,
		rows:      make([]rowArgs, len(events)),
		done:      make(chan struct{}),
		stored:    make([]event.Event, len(events)),
	}
	ids := make([]byte, 16*len(events))
	// One copy of the data and one Memo per event for every subscriber: the
	// caller may reuse its Data once Append returns. The data of an append
	// is one buffer (an event the tail still holds keeps its neighbours'
	// bytes, at most one append's); each Memo is allocated on its own, as
	// it comes to hold a decoded payload, several times the bytes.
	size := 0
	for i := range events {
		size += len(events[i].Data)
	}
	data := make([]byte, 0, size)
	for i := range events {
		p := &events[i]
		id := ids[16*i : 16*i+16 : 16*i+16]
		copy(id, p.ID[:])
		ra := &r.rows[i]
		ra.id = id
		ra.typ = p.Type
		ra.version = int64(p.Version)
		ra.data = string(p.Data)
		m := encodeMetadata(p.Metadata)
		if m != "" {
			ra.meta = m
		}
		at := len(data)
		data = append(data, p.Data...)
		r.stored[i] = event.Event{ID: p.ID, Stream: stream, Type: p.Type, Version: p.Version,
			Data: data[at:len(data):len(data)], Metadata: readBackMetadata(p.Metadata, m), Memo: new(event.Memo)}
		r.bytes += len(p.Data) + len(stream) + 64
	}
	return r
}

func (r *appendRequest) claim() bool { return r.state.CompareAndSwap(reqPending, reqClaimed) }

func (r *appendRequest) abandon() bool { return r.state.CompareAndSwap(reqPending, reqAbandoned) }

// submit queues r and waits for its outcome.
func (w *writer) submit(ctx context.Context, r *appendRequest) (event.AppendResult, error) {
	select {
	case w.queue <- r:
	case <-ctx.Done():
		return event.AppendResult{}, ctx.Err()
	case <-w.quit:
		return event.AppendResult{}, event.ErrClosed
	}
	select {
	case <-r.done:
		return r.result, sqliteerr.Classify(r.err)
	case <-ctx.Done():
		if r.abandon() {
			return event.AppendResult{}, ctx.Err()
		}
	case <-w.stopped:
		// The writer drained the queue before this request arrived.
		if r.abandon() {
			return event.AppendResult{}, event.ErrClosed
		}
	}
	<-r.done // claimed: the writer finishes the transaction it is in
	return r.result, sqliteerr.Classify(r.err)
}
