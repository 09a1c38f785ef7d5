package subscription

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Create implements Repository.
func (l *Log) Create(ctx context.Context, ns string, spec Spec) (Subscription, error) {
	v, err := New(ns, spec)
	if err != nil {
		return Subscription{}, err
	}
	if err := l.wait(ctx, 0); err != nil {
		return Subscription{}, err
	}
	rev, live := l.revision(ns, v.Name)
	if live {
		return Subscription{}, fmt.Errorf("%w: %q in namespace %s", ErrExists, v.Name, ns)
	}
	// Sequences are store positions, so the newest event now is at most
	// the store's head.
	head, err := l.store.Head(ctx)
	if err != nil {
		return Subscription{}, err
	}
	start, err := Resolve(v.Options.FirstEvent, uint64(head))
	if err != nil {
		return Subscription{}, err
	}
	id := uuid.New()
	p := catalogue.SubscriptionCreated{Namespace: ns, ID: id, Name: v.Name, Transport: string(v.Transport),
		Filter: v.Filter.Spec(), Options: v.Options, Start: start}
	if err := l.append(ctx, ns, v.Name, event.Exact(rev), p); err != nil {
		if errors.Is(err, event.ErrWrongRevision) {
			return Subscription{}, fmt.Errorf("%w: %q in namespace %s", ErrExists, v.Name, ns)
		}
		return Subscription{}, err
	}
	return l.Get(ctx, ns, v.Name)
}

// Update implements Repository.
func (l *Log) Update(ctx context.Context, ns, name string, spec Spec) (Subscription, error) {
	if spec.Name == "" {
		spec.Name = name
	}
	if spec.Name != name {
		return Subscription{}, invalid("name", "%q differs from the subscription's name %q (a name cannot change)", spec.Name, name)
	}
	v, err := New(ns, spec)
	if err != nil {
		return Subscription{}, err
	}
	cur, err := l.Get(ctx, ns, name)
	if err != nil {
		return Subscription{}, err
	}
	rev, _ := l.revision(ns, name)
	p := catalogue.SubscriptionUpdated{Namespace: ns, ID: cur.ID, Name: name, Transport: string(v.Transport),
		Filter: v.Filter.Spec(), Options: v.Options}
	if err := l.append(ctx, ns, name, event.Exact(rev), p); err != nil {
		if errors.Is(err, event.ErrWrongRevision) {
			return Subscription{}, fmt.Errorf("%w: %q in namespace %s changed during the update; try again",
				ErrExists, name, ns)
		}
		return Subscription{}, err
	}
	return l.Get(ctx, ns, name)
}

// Delete implements Repository.
func (l *Log) Delete(ctx context.Context, ns, name string) error {
	cur, err := l.Get(ctx, ns, name)
	if err != nil {
		return err
	}
	// Any: a concurrent offset commit must not make the delete fail, and
	// a concurrent delete of the same id folds to the same result.
	return l.append(ctx, ns, name, event.Any(), catalogue.SubscriptionDeleted{Namespace: ns, ID: cur.ID, Name: name})
}

// Get implements Repository.
func (l *Log) Get(ctx context.Context, ns, name string) (Subscription, error) {
	if err := l.wait(ctx, 0); err != nil {
		return Subscription{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.subs[key{ns, name}]
	if e == nil || e.deleted {
		return Subscription{}, fmt.Errorf("%w: %q in namespace %s", ErrNotFound, name, ns)
	}
	return e.sub, nil
}

// List implements Repository.
func (l *Log) List(ctx context.Context, ns string) ([]Subscription, error) {
	if err := l.wait(ctx, 0); err != nil {
		return nil, err
	}
	l.mu.Lock()
	out := []Subscription{}
	for k, e := range l.subs {
		if k.ns == ns && !e.deleted {
			out = append(out, e.sub)
		}
	}
	l.mu.Unlock()
	slices.SortFunc(out, func(a, b Subscription) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// CommitOffset implements Repository. It does not wait for its own event
// to be folded: the engine keeps the acknowledged offset in memory, and a
// later Get sees the commit moments later.
func (l *Log) CommitOffset(ctx context.Context, ns, name string, id uuid.UUID, offset uint64) error {
	cur, err := l.Get(ctx, ns, name)
	if err != nil {
		return err
	}
	if cur.ID != id {
		return fmt.Errorf("%w: %q in namespace %s was deleted or re-created", ErrNotFound, name, ns)
	}
	if offset <= cur.Offset {
		return nil
	}
	p := catalogue.SubscriptionOffsetCommitted{Namespace: ns, ID: id, Name: name, Offset: offset}
	ev, err := l.cat.Encode(uuid.New(), p, event.Metadata{Namespace: ns})
	if err != nil {
		return err
	}
	_, err = l.store.Append(ctx, catalogue.SubscriptionStream(ns, name), event.Any(), ev)
	return err
}

// revision returns the stream's revision and whether a live (not deleted)
// subscription holds the name.
func (l *Log) revision(ns, name string) (event.Revision, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.subs[key{ns, name}]
	if e == nil {
		return 0, false
	}
	return e.revision, !e.deleted
}

// append records p and waits until the fold has applied it, so the caller
// reads its own write.
func (l *Log) append(ctx context.Context, ns, name string, expected event.ExpectedRevision, p catalogue.Payload) error {
	ev, err := l.cat.Encode(uuid.New(), p, event.Metadata{Namespace: ns})
	if err != nil {
		return err
	}
	res, err := l.store.Append(ctx, catalogue.SubscriptionStream(ns, name), expected, ev)
	if err != nil {
		return err
	}
	return l.wait(ctx, res.LastPosition)
}
