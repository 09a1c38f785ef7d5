package delivery

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// errStreamClosed is what Next returns after Close.
var errStreamClosed = errors.New("delivery stream closed")

// closeCommitTimeout bounds the offset commit a closing stream makes.
const closeCommitTimeout = 5 * time.Second

// stream is one consumer of a subscription. Next runs on one goroutine
// (the only one that reads the read model and touches filter); Ack and the
// engine's commits come from others, so the rest is under mu.
type stream struct {
	e         *Engine
	ns, name  string // name is empty for an ephemeral stream
	id        uuid.UUID
	readAhead int
	withData  bool
	autoAck   bool
	filter    subscription.Filter

	mu sync.Mutex
	// cursor is the last sequence read from the event list, delivered or
	// filtered out; buf holds the matching rows read but not delivered.
	cursor    uint64
	buf       []row
	inflight  []flight
	committed uint64
	space     chan struct{}
	done      chan struct{}
	endErr    error
	endOnce   sync.Once
	closeOnce sync.Once
}

type row struct {
	seq uint64
	id  uuid.UUID
	typ string
	ref string
	doc []byte
}

type flight struct {
	seq   uint64
	id    uuid.UUID
	acked bool
}

func (e *Engine) newStream(ns, name string, id uuid.UUID, f subscription.Filter, readAhead int, withData, autoAck bool) *stream {
	return &stream{e: e, ns: ns, name: name, id: id, filter: f, readAhead: max(readAhead, 1), withData: withData,
		autoAck: autoAck, space: make(chan struct{}, 1), done: make(chan struct{})}
}

func (s *stream) start(offset uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursor = offset
}

// end stops the stream with err (nil: closed by its owner).
func (s *stream) end(err error) {
	s.endOnce.Do(func() {
		if err == nil {
			err = errStreamClosed
		}
		s.mu.Lock()
		s.endErr = err
		s.mu.Unlock()
		close(s.done)
	})
}

// Next implements subscription.Stream.
func (s *stream) Next(ctx context.Context) (subscription.Delivery, error) {
	for {
		s.mu.Lock()
		select {
		case <-s.done:
			err := s.endErr
			s.mu.Unlock()
			return subscription.Delivery{}, err
		default:
		}
		full := len(s.inflight) >= s.readAhead
		if !full && len(s.buf) > 0 {
			// The row stays first in buf until it is handed over, so an
			// offset committed meanwhile (offsetLocked) stays below it: an
			// auto-acked event whose delivery fails is not skipped.
			r := s.buf[0]
			if !s.autoAck {
				s.inflight = append(s.inflight, flight{seq: r.seq, id: r.id})
			}
			s.mu.Unlock()
			d, err := s.deliver(ctx, r)
			s.mu.Lock()
			if len(s.buf) > 0 && s.buf[0].seq == r.seq {
				if err == nil {
					s.buf = s.buf[1:]
				}
			}
			if err != nil && !s.autoAck {
				// Not handed over: it is no longer in flight (an ack may
				// have removed it already, so find it by sequence).
				s.inflight = slices.DeleteFunc(s.inflight, func(f flight) bool { return f.seq == r.seq })
			}
			s.mu.Unlock()
			return d, err
		}
		s.mu.Unlock()
		if full {
			select {
			case <-s.space:
			case <-s.done:
			case <-ctx.Done():
				return subscription.Delivery{}, ctx.Err()
			}
			continue
		}
		if err := s.fill(ctx); err != nil {
			return subscription.Delivery{}, err
		}
	}
}

// fill reads the next page of the event list into buf, or waits for the
// list to grow when it is read to the end.
func (s *stream) fill(ctx context.Context) error {
	wake := s.e.wake()
	if s.name != "" {
		// An update's filter applies from the next page on; a delete ends
		// the stream.
		sub, err := s.e.repo.Get(ctx, s.ns, s.name)
		if err == nil && sub.ID != s.id {
			err = fmt.Errorf("%w: %q was deleted and created again", subscription.ErrNotFound, s.name)
		}
		if err != nil {
			if errors.Is(err, subscription.ErrNotFound) {
				s.end(err)
			}
			return err
		}
		s.filter = sub.Filter
	}
	s.mu.Lock()
	after := s.cursor
	s.mu.Unlock()
	limit := min(s.e.opts.PageSize, query.MaxLimit)
	q, err := query.Parse(projections.EventsTable.Collection(), url.Values{
		"sequence": {">" + strconv.FormatUint(after, 10)}, query.ParamSort: {"sequence"},
		query.ParamLimit: {strconv.Itoa(limit)}})
	if err != nil {
		return fmt.Errorf("delivery: building the page query: %w", err)
	}
	docs, _, err := s.e.rm.Find(ctx, projections.EventsTable, s.ns, q)
	if err != nil {
		return fmt.Errorf("delivery: reading the event list after %d: %w", after, err)
	}
	var matched []row
	last := after
	for _, doc := range docs {
		r, fields, err := parseRow(doc)
		if err != nil {
			return err
		}
		last = r.seq
		if s.filter.NeedsMessageType() && r.ref != "" {
			if fields.MessageType, err = s.messageType(ctx, r.ref); err != nil {
				return err
			}
		}
		if s.filter.Matches(fields) {
			matched = append(matched, r)
		}
	}
	s.mu.Lock()
	s.buf = append(s.buf, matched...)
	s.cursor = last
	s.mu.Unlock()
	if len(matched) > 0 || len(docs) == limit {
		return nil
	}
	select {
	case <-wake:
		return nil
	case <-s.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Ack implements subscription.Stream.
func (s *stream) Ack(id uuid.UUID) error {
	s.mu.Lock()
	idx := -1
	for i, f := range s.inflight {
		if !f.acked && (id == uuid.Nil || f.id == id) {
			idx = i
			break
		}
	}
	if idx < 0 {
		s.mu.Unlock()
		if id == uuid.Nil {
			return fmt.Errorf("%w: no event awaits an ack", subscription.ErrNotInFlight)
		}
		return fmt.Errorf("%w: %s", subscription.ErrNotInFlight, id)
	}
	s.inflight[idx].acked = true
	n := ackedPrefix(s.inflight)
	s.mu.Unlock()
	// An ack the consumer sent is recorded before Ack returns, so that
	// after a crash only events in flight and not yet acknowledged come
	// again. (Auto-acknowledged streams, which deliver as fast as the
	// client reads, are committed by the engine every CommitInterval.) A
	// commit that fails is retried by the engine's next round.
	if s.name != "" && n > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), closeCommitTimeout)
		s.commit(ctx)
		cancel()
	}
	// Only now do the acknowledged events leave the read-ahead window:
	// freed before the commit, the window let Next hand over one event
	// more than readAhead beyond the committed offset, and a crash then
	// delivered readAhead+1 events again (TestDeliveryAcrossKill saw 101).
	s.mu.Lock()
	s.inflight = s.inflight[ackedPrefix(s.inflight):]
	s.mu.Unlock()
	select {
	case s.space <- struct{}{}:
	default:
	}
	return nil
}

// ackedPrefix is how many of the oldest in-flight events are acknowledged.
func ackedPrefix(inflight []flight) int {
	n := 0
	for n < len(inflight) && inflight[n].acked {
		n++
	}
	return n
}

// offsetLocked is the highest sequence up to which every matching event
// has been acknowledged: just before the oldest unacknowledged or
// undelivered one, or the cursor when there is none.
func (s *stream) offsetLocked() uint64 {
	// Acknowledged events stay in flight until their commit (Ack).
	unacked := s.inflight[ackedPrefix(s.inflight):]
	switch {
	case len(unacked) > 0:
		return unacked[0].seq - 1
	case len(s.buf) > 0:
		return s.buf[0].seq - 1
	}
	return s.cursor
}

// commit records the stream's offset if it moved, and returns the offset
// known to be acknowledged. Ephemeral streams record nothing.
func (s *stream) commit(ctx context.Context) uint64 {
	s.mu.Lock()
	off, committed := s.offsetLocked(), s.committed
	s.mu.Unlock()
	if s.name == "" || off <= committed {
		return max(off, committed)
	}
	if s.e.record(ctx, s, off) {
		s.mu.Lock()
		s.committed = max(s.committed, off)
		s.mu.Unlock()
	}
	return off
}

// Close implements subscription.Stream.
func (s *stream) Close() error {
	s.closeOnce.Do(func() {
		s.end(nil)
		if s.name == "" {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), closeCommitTimeout)
		defer cancel()
		s.e.closed(s, s.commit(ctx))
	})
	return nil
}
