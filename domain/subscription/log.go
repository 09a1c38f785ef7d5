package subscription

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Log is the Repository over the event store: writes are appends to the
// subscription's stream, reads come from an in-memory fold of every
// subscription event, which Run keeps current from a store subscription.
// Subscriptions are few and small; their offset commits are coalesced by
// the delivery engine, so the fold stays cheap.
type Log struct {
	store event.Store
	cat   *catalogue.Catalogue

	mu      sync.Mutex
	subs    map[key]*entry
	applied event.Position
	ready   bool
	// changed is closed (and replaced) whenever applied moves or Run ends.
	changed chan struct{}
	failed  error
}

type key struct{ ns, name string }

// entry is one stream's fold: the live subscription, or a deleted one
// (kept for the stream's revision, which the next create must expect).
type entry struct {
	sub      Subscription
	revision event.Revision
	deleted  bool
	// dead are the live subscription's dead letters, by sequence.
	dead []DeadLetter
}

var _ Repository = (*Log)(nil)

// NewLog returns a repository over store; it answers once Run has read
// the subscription events already stored.
func NewLog(store event.Store, cat *catalogue.Catalogue) *Log {
	return &Log{store: store, cat: cat, subs: map[key]*entry{}, changed: make(chan struct{})}
}

func subscriptionTypes() []string {
	return []string{"SubscriptionCreated", "SubscriptionUpdated", "SubscriptionDeleted", "SubscriptionOffsetCommitted",
		"SubscriptionDeadLettered", "SubscriptionRedriven", "SubscriptionResumed"}
}

// Run reads every stored subscription event, then follows new ones until
// ctx ends (nil) or the store fails.
func (l *Log) Run(ctx context.Context) error {
	err := l.run(ctx)
	if ctx.Err() != nil {
		err = nil
	}
	l.mu.Lock()
	l.failed = errors.Join(errors.New("subscription log stopped"), err)
	l.wakeLocked()
	l.mu.Unlock()
	return err
}

func (l *Log) run(ctx context.Context) error {
	head, err := l.store.Head(ctx)
	if err != nil {
		return err
	}
	filter := event.Filter{StreamPrefix: "subscription-", Types: subscriptionTypes()}
	// Catch up page by page, so that readiness is known even when no
	// subscription event exists; then follow live from where the pages end.
	var pos event.Position
	for pos < head {
		page, err := l.store.ReadAll(ctx, pos, 1000)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
		for _, ev := range page {
			if filter.Matches(ev) {
				if err := l.apply(ev); err != nil {
					return err
				}
			}
			pos = ev.Position
		}
	}
	l.mu.Lock()
	l.applied, l.ready = max(l.applied, pos), true
	l.wakeLocked()
	l.mu.Unlock()
	sub, err := l.store.Subscribe(ctx, pos, filter)
	if err != nil {
		return err
	}
	defer func() { _ = sub.Close() }()
	for ev := range sub.Events() {
		if err := l.apply(ev); err != nil {
			return err
		}
	}
	return sub.Err()
}

// apply folds one stored event. Every event of a stream moves the
// stream's revision, even one about an earlier id (a late offset commit),
// because the next create or update expects the stream's real revision.
func (l *Log) apply(ev event.Event) error {
	p, err := l.cat.Decode(ev)
	if err != nil {
		return fmt.Errorf("subscription log: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	defer l.wakeLocked()
	l.applied = ev.Position
	switch v := p.(type) {
	case catalogue.SubscriptionCreated:
		e := l.entryLocked(v.Namespace, v.Name, ev.Revision)
		filter, err := NewFilter(v.Filter)
		if err != nil {
			return fmt.Errorf("subscription log: stored subscription %s/%s: %w", v.Namespace, v.Name, err)
		}
		e.sub = Subscription{ID: v.ID, Namespace: v.Namespace, Name: v.Name, Transport: Transport(v.Transport),
			Filter: filter, Options: v.Options, Start: v.Start, Offset: v.Start, Created: ev.Recorded, Updated: ev.Recorded}
		e.deleted, e.dead = false, nil
	case catalogue.SubscriptionUpdated:
		e := l.entryLocked(v.Namespace, v.Name, ev.Revision)
		filter, err := NewFilter(v.Filter)
		if err != nil {
			return fmt.Errorf("subscription log: stored subscription %s/%s: %w", v.Namespace, v.Name, err)
		}
		if e.sub.ID == v.ID {
			e.sub.Transport, e.sub.Filter, e.sub.Options, e.sub.Updated = Transport(v.Transport), filter, v.Options, ev.Recorded
		}
	case catalogue.SubscriptionDeleted:
		if e := l.entryLocked(v.Namespace, v.Name, ev.Revision); e.sub.ID == v.ID {
			e.deleted = true
		}
	case catalogue.SubscriptionOffsetCommitted:
		if e := l.entryLocked(v.Namespace, v.Name, ev.Revision); e.sub.ID == v.ID {
			e.sub.Offset = max(e.sub.Offset, v.Offset)
		}
	default:
		applyDeadLetter(l.entryLocked, p, ev)
	}
	return nil
}

func (l *Log) entryLocked(ns, name string, rev event.Revision) *entry {
	k := key{ns, name}
	e := l.subs[k]
	if e == nil {
		e = &entry{}
		l.subs[k] = e
	}
	e.revision = max(e.revision, rev)
	return e
}

func (l *Log) wakeLocked() {
	close(l.changed)
	l.changed = make(chan struct{})
}

// wait blocks until the fold is ready and has applied pos.
func (l *Log) wait(ctx context.Context, pos event.Position) error {
	for {
		l.mu.Lock()
		if l.ready && l.applied >= pos {
			l.mu.Unlock()
			return nil
		}
		if l.failed != nil {
			err := l.failed
			l.mu.Unlock()
			return err
		}
		ch := l.changed
		l.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}
