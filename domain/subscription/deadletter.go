package subscription

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// DeadLetter is an event an outbound subscription gave up on after its
// last attempt. Redriven is when an operator's redrive delivered it (zero
// until then).
type DeadLetter struct {
	Sequence  uint64
	EventID   uuid.UUID
	EventType string
	Attempts  int
	Error     string
	// Paused says whether this dead letter paused the subscription.
	Paused   bool
	Recorded time.Time
	Redriven time.Time
}

// applyDeadLetter folds the dead-letter events of a subscription stream.
// Like every event of the stream, each moves the stream's revision.
func applyDeadLetter(entryOf func(ns, name string, rev event.Revision) *entry, p catalogue.Payload, ev event.Event) {
	at := ev.Recorded
	switch v := p.(type) {
	case catalogue.SubscriptionDeadLettered:
		e := entryOf(v.Namespace, v.Name, ev.Revision)
		if e.sub.ID != v.ID {
			return
		}
		dl := DeadLetter{Sequence: v.Sequence, EventID: v.EventID, EventType: v.Kind, Attempts: v.Attempts,
			Error: v.Error, Paused: v.Paused, Recorded: at}
		// The same event dead-lettered again (redelivered after a crash
		// before the ack was committed) replaces the earlier record.
		i, found := slices.BinarySearchFunc(e.dead, v.Sequence, func(d DeadLetter, seq uint64) int { return cmpUint(d.Sequence, seq) })
		if found {
			e.dead[i] = dl
		} else {
			e.dead = slices.Insert(e.dead, i, dl)
		}
		if v.Paused {
			e.sub.PausedAt = v.Sequence
		}
	case catalogue.SubscriptionRedriven:
		e := entryOf(v.Namespace, v.Name, ev.Revision)
		if e.sub.ID != v.ID {
			return
		}
		if i, found := slices.BinarySearchFunc(e.dead, v.Sequence, func(d DeadLetter, seq uint64) int { return cmpUint(d.Sequence, seq) }); found {
			e.dead[i].Redriven = at
		}
		if e.sub.PausedAt == v.Sequence {
			e.sub.PausedAt = 0
		}
	case catalogue.SubscriptionResumed:
		if e := entryOf(v.Namespace, v.Name, ev.Revision); e.sub.ID == v.ID {
			e.sub.PausedAt = 0
		}
	}
}

func cmpUint(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// RecordDeadLetter implements Repository.
func (l *Log) RecordDeadLetter(ctx context.Context, ns, name string, id uuid.UUID, dl DeadLetter) (Subscription, error) {
	cur, err := l.current(ctx, ns, name, id)
	if err != nil {
		return Subscription{}, err
	}
	p := catalogue.SubscriptionDeadLettered{Namespace: ns, ID: id, Name: name, Sequence: dl.Sequence, EventID: dl.EventID,
		Kind: dl.EventType, Attempts: dl.Attempts, Error: dl.Error, Paused: cur.PauseOnDeadLetter()}
	if err := l.append(ctx, ns, name, event.Any(), p); err != nil {
		return Subscription{}, err
	}
	return l.Get(ctx, ns, name)
}

// DeadLetters implements Repository.
func (l *Log) DeadLetters(ctx context.Context, ns, name string) ([]DeadLetter, error) {
	if _, err := l.Get(ctx, ns, name); err != nil {
		return nil, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.subs[key{ns, name}].dead), nil
}

// DeadLetter implements Repository.
func (l *Log) DeadLetter(ctx context.Context, ns, name string, seq uint64) (Subscription, DeadLetter, error) {
	sub, err := l.Get(ctx, ns, name)
	if err != nil {
		return Subscription{}, DeadLetter{}, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	dead := l.subs[key{ns, name}].dead
	i, found := slices.BinarySearchFunc(dead, seq, func(d DeadLetter, seq uint64) int { return cmpUint(d.Sequence, seq) })
	if !found {
		return Subscription{}, DeadLetter{}, fmt.Errorf("%w: no dead letter at sequence %d of %q in namespace %s",
			ErrNotFound, seq, name, ns)
	}
	return sub, dead[i], nil
}

// RecordRedriven implements Repository.
func (l *Log) RecordRedriven(ctx context.Context, ns, name string, id uuid.UUID, dl DeadLetter) (Subscription, error) {
	if _, err := l.current(ctx, ns, name, id); err != nil {
		return Subscription{}, err
	}
	p := catalogue.SubscriptionRedriven{Namespace: ns, ID: id, Name: name, Sequence: dl.Sequence, EventID: dl.EventID}
	if err := l.append(ctx, ns, name, event.Any(), p); err != nil {
		return Subscription{}, err
	}
	return l.Get(ctx, ns, name)
}

// Resume implements Repository.
func (l *Log) Resume(ctx context.Context, ns, name string) (Subscription, error) {
	cur, err := l.Get(ctx, ns, name)
	if err != nil {
		return Subscription{}, err
	}
	if !cur.Paused() {
		return cur, nil
	}
	if err := l.append(ctx, ns, name, event.Any(), catalogue.SubscriptionResumed{Namespace: ns, ID: cur.ID, Name: name}); err != nil {
		return Subscription{}, err
	}
	return l.Get(ctx, ns, name)
}

// Changed returns a channel closed when the fold next applies a
// subscription event (any: created, updated, deleted, an offset, a dead
// letter) or stops, for watchers that re-read what they follow.
func (l *Log) Changed() <-chan struct{} {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.changed
}

// current is the live subscription name, if its id is still id.
func (l *Log) current(ctx context.Context, ns, name string, id uuid.UUID) (Subscription, error) {
	cur, err := l.Get(ctx, ns, name)
	if err != nil {
		return Subscription{}, err
	}
	if cur.ID != id {
		return Subscription{}, fmt.Errorf("%w: %q in namespace %s was deleted or re-created", ErrNotFound, name, ns)
	}
	return cur, nil
}
