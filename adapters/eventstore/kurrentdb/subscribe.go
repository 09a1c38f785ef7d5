package kurrentdb

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// subscriptionBuffer is how many events a subscription reads ahead of its
// consumer.
const subscriptionBuffer = 64

// Subscribe catches up with ReadAll's pages, then follows a KurrentDB
// subscription to $all, filtered on the server by stream prefix, from the
// last position it passed; see doc.go for why there is no gap and no
// duplicate at the switch.
func (s *Store) Subscribe(ctx context.Context, after event.Position, filter event.Filter) (event.Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opCtx, done, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	subCtx, cancel := context.WithCancel(opCtx)
	sub := &subscription{events: make(chan event.Event, subscriptionBuffer), cancel: cancel, stopped: make(chan struct{})}
	go func() {
		err := s.follow(subCtx, after, filter, sub.events)
		switch {
		case sub.closedByOwner.Load():
			err = nil
		case s.life.Err() != nil:
			err = event.ErrClosed
		case ctx.Err() != nil:
			err = nil
		default:
			s.log.Error().Err(err).Uint64("after", uint64(after)).Msg("subscription ended")
		}
		sub.mu.Lock()
		sub.err = err
		sub.mu.Unlock()
		cancel()
		close(sub.events)
		done()
		close(sub.stopped)
	}()
	return sub, nil
}

// follow delivers the store's events after after that match filter until
// ctx ends or reading fails.
func (s *Store) follow(ctx context.Context, after event.Position, filter event.Filter, out chan<- event.Event) error {
	send := func(e event.Event) error {
		if !filter.Matches(e) {
			return nil
		}
		select {
		case out <- e:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	// Taken before catching up, so that everything committed after the
	// catch-up's last read lies after it.
	mark, err := s.lastAllPosition(ctx)
	if err != nil {
		return fmt.Errorf("reading the end of $all: %w", err)
	}
	var live kurrentdb.AllPosition = kurrentdb.Start{}
	if mark != (kurrentdb.Position{}) {
		live = mark
	}
	passed := after
	for {
		page, err := s.readAll(ctx, passed, s.cfg.ReadPageSize)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, e := range page {
			if err := send(e); err != nil {
				return err
			}
		}
		passed = page[len(page)-1].Position
		if uint64(passed) > mark.Commit {
			live = allPosition(passed) // an event's own position: a record boundary
		}
	}

	sub, err := s.db.SubscribeToAll(ctx, kurrentdb.SubscribeToAllOptions{
		From:   live,
		Filter: &kurrentdb.SubscriptionFilter{Type: kurrentdb.StreamFilterType, Prefixes: []string{s.names.stream(filter.StreamPrefix)}},
	})
	if err != nil {
		return fmt.Errorf("subscribing to $all: %w", err)
	}
	defer func() { _ = sub.Close() }()
	for {
		msg := sub.Recv()
		switch {
		case msg.SubscriptionDropped != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("subscription to $all dropped: %w", msg.SubscriptionDropped.Error)
		case msg.EventAppeared == nil:
			continue // checkpoints, caught-up and fell-behind notices
		}
		r := msg.EventAppeared.OriginalEvent()
		if r == nil || r.Position.Commit <= uint64(passed) {
			continue
		}
		e, ours, err := s.names.fromRecorded(r)
		if err != nil {
			return err
		}
		if !ours {
			continue
		}
		passed = e.Position
		if err := send(e); err != nil {
			return err
		}
	}
}

// subscription is a running Subscribe.
type subscription struct {
	events        chan event.Event
	cancel        context.CancelFunc
	stopped       chan struct{}
	closedByOwner atomic.Bool
	once          sync.Once
	mu            sync.Mutex // guards err
	err           error      // set before events closes
}

func (s *subscription) Events() <-chan event.Event { return s.events }

func (s *subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

func (s *subscription) Close() error {
	s.once.Do(func() {
		s.closedByOwner.Store(true)
		s.cancel()
	})
	<-s.stopped
	return nil
}

var _ event.Subscription = (*subscription)(nil)
