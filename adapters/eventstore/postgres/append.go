package postgres

import (
	"context"
	"sync/atomic"

	"github.com/ledgermirror/ledgermirror/adapters/internal/pgerr"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Append implements event.Store. It validates the events on the caller's
// goroutine, then queues them for the writer, which commits them together
// with whatever other appends are queued (group commit).
//
// Cancellation: while the append waits in the queue, ctx cancellation removes
// it and Append returns ctx.Err() with nothing stored. Once the writer has
// taken it into a transaction it is no longer withdrawn (the writer still
// skips it if ctx is already done when the transaction starts); Append then
// waits for that transaction and returns its outcome, so a returned result is
// always true.
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
	bytes    int

	state atomic.Int32
	done  chan struct{} // closed by the writer once result/err are final

	result event.AppendResult
	err    error
	// Set while the writer judges the request in a transaction: wrote means
	// its rows are in the transaction (result positions are then offsets
	// until the base position is known); deferred means it repeats ids of
	// an earlier append in the same transaction and is judged after it.
	wrote, deferred bool
}

func newAppendRequest(ctx context.Context, stream string, expected event.ExpectedRevision, events []event.Proposed) *appendRequest {
	r := &appendRequest{ctx: ctx, stream: stream, expected: expected, events: events, done: make(chan struct{})}
	for i := range events {
		r.bytes += len(events[i].Data) + len(stream) + 128
	}
	return r
}

func (r *appendRequest) claim() bool { return r.state.CompareAndSwap(reqPending, reqClaimed) }

func (r *appendRequest) abandon() bool { return r.state.CompareAndSwap(reqPending, reqAbandoned) }

// reset clears what an earlier attempt decided, before the request is tried
// again in a transaction of its own.
func (r *appendRequest) reset() {
	r.result, r.err, r.wrote, r.deferred = event.AppendResult{}, nil, false, false
}

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
		return r.result, pgerr.Classify(r.err)
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
	return r.result, pgerr.Classify(r.err)
}
