package sqlite

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// subscriptionBuffer is how many events may wait in a subscription's channel:
// enough to keep the reader and a fast consumer from taking turns event by
// event, small enough that a slow consumer holds back the reads.
const subscriptionBuffer = 64

// Subscribe implements event.Store. The subscription reads by position:
// catch-up and live are the same loop, which takes the next page after the
// last position it passed on and, when it has caught up with the head, waits
// for the writer's next commit notification (or the PollInterval safety
// net). The page comes from the live tail when the tail holds the next
// position, from the file otherwise (catching up, fallen behind the tail, or
// a gap in it). Because positions are assigned by one writer, which fills the
// tail and then publishes the head only after the commit, reading "after the
// last position seen" can neither skip nor repeat an event, whichever source
// a page comes from.
func (s *Store) Subscribe(ctx context.Context, after event.Position, filter event.Filter) (event.Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	filter.Types = slices.Clone(filter.Types)
	sub := &subscription{
		s:      s,
		ctx:    ctx,
		filter: filter,
		pos:    after,
		events: make(chan event.Event, subscriptionBuffer),
		stop:   make(chan struct{}),
		done:   make(chan struct{}),
	}
	s.mu.Lock()
	if s.closed.Load() {
		s.mu.Unlock()
		return nil, event.ErrClosed
	}
	s.subs.Add(1)
	s.mu.Unlock()
	go sub.run()
	return sub, nil
}

type subscription struct {
	s      *Store
	ctx    context.Context
	filter event.Filter
	pos    event.Position // last position read (delivered or filtered out)
	events chan event.Event
	page   []event.Event // reused for pages taken from the tail
	stop   chan struct{}
	done   chan struct{}
	once   sync.Once
	err    error
}

func (sub *subscription) Events() <-chan event.Event { return sub.events }

// Err is valid once Events is closed.
func (sub *subscription) Err() error {
	select {
	case <-sub.done:
		return sub.err
	default:
		return nil
	}
}

func (sub *subscription) Close() error {
	sub.once.Do(func() { close(sub.stop) })
	<-sub.done
	return nil
}

func (sub *subscription) run() {
	// done closes before events, so whoever sees Events closed reads a final Err.
	defer sub.s.subs.Done()
	defer close(sub.events)
	defer close(sub.done)
	sub.err = sub.loop()
}

func (sub *subscription) loop() error {
	s := sub.s
	poll := time.NewTicker(s.cfg.PollInterval)
	defer poll.Stop()
	polled := false
	for {
		// Take the notification channel before looking at the head: a commit
		// after the look closes this very channel.
		commit := s.commit.wait()
		if polled || sub.pos < event.Position(s.head.Load()) {
			polled = false
			page, err := sub.next()
			if err != nil {
				return sub.endErr(err)
			}
			for _, e := range page {
				if sub.filter.Matches(e) {
					select {
					case sub.events <- e:
					case <-sub.ctx.Done():
						return nil
					case <-sub.stop:
						return nil
					case <-s.closing:
						return event.ErrClosed
					}
				}
				sub.pos = e.Position
			}
			clear(sub.page) // hold no event the tail has let go of
			if len(page) > 0 {
				continue
			}
		}
		select {
		case <-commit:
		case <-poll.C:
			polled = true
		case <-sub.ctx.Done():
			return nil
		case <-sub.stop:
			return nil
		case <-s.closing:
			return event.ErrClosed
		}
	}
}

// next returns the page after sub.pos: from the tail if it holds the next
// position, else from the file.
func (sub *subscription) next() ([]event.Event, error) {
	s := sub.s
	sub.page = s.tail.after(sub.pos, s.cfg.ReadPageSize, sub.page[:0])
	if len(sub.page) > 0 {
		return sub.page, nil
	}
	if h := s.cfg.hooks; h != nil && h.fileRead != nil {
		h.fileRead(sub.pos)
	}
	return s.readAfter(sub.ctx, sub.pos, s.cfg.ReadPageSize)
}

// endErr maps a read failure to what Err reports: a read cut short by Close
// or by the subscription's context is an ordinary ending, not a failure.
func (sub *subscription) endErr(err error) error {
	stopped := false
	select {
	case <-sub.stop:
		stopped = true
	default:
	}
	switch {
	case stopped || (sub.ctx.Err() != nil && !sub.s.closed.Load()):
		return nil
	case sub.s.closed.Load():
		return event.ErrClosed
	default:
		return err
	}
}
