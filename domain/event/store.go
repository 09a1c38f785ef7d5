package event

import "context"

// Store is the event-store port. Every adapter passes the contract suite in
// test/contract/eventstore. All methods are safe for concurrent use.
type Store interface {
	// Append adds events to the end of stream, atomically: all of them or none.
	//
	// expected is checked against the stream's revision before the append; a
	// mismatch returns a *WrongRevisionError (errors.Is ErrWrongRevision) and
	// stores nothing.
	//
	// Appends are idempotent by event id: if every id is already stored in this
	// stream with the same type, version and data, Append stores nothing and
	// returns Duplicate=true with the positions of the stored events and the
	// revision of the last of them (the original append's result, not the
	// stream's current revision), whatever expected says: a retry after a lost
	// reply must succeed. If any id is stored with other content, or only some
	// of the ids are stored, it returns a *DuplicateEventIDError (errors.Is
	// ErrDuplicateEventID).
	//
	// Invalid input (empty stream, no events, zero id, empty type, version < 1,
	// data that is not JSON) returns an error wrapping ErrInvalidEvent; a bad
	// expected revision wraps ErrInvalidRevision. If ctx is cancelled before the
	// append commits, Append returns ctx.Err() and nothing is stored; once it has
	// committed the result is returned even if ctx is done.
	Append(ctx context.Context, stream string, expected ExpectedRevision, events ...Proposed) (AppendResult, error)

	// ReadStream returns up to limit events of stream with revision > after, in
	// revision order. A stream that does not exist reads as empty; an invalid
	// stream name is ErrInvalidEvent. limit <= 0 means no limit.
	//
	// Every read returns Data as JSON equivalent to what was appended, not
	// necessarily the same bytes (a jsonb column reformats it): hash canonical
	// JSON, never stored bytes.
	ReadStream(ctx context.Context, stream string, after Revision, limit int) ([]Event, error)

	// ReadAll returns up to limit events with position > after, in position
	// order, across all streams. limit <= 0 means the adapter's default page.
	ReadAll(ctx context.Context, after Position, limit int) ([]Event, error)

	// Subscribe delivers every event with position > after that matches filter,
	// in position order: first those already stored (catch-up), then new ones as
	// they commit (live), with no gap and no duplicate at the switch. The
	// subscription ends when ctx is cancelled, Close is called, the store is
	// closed or reading fails; Err then says why (nil after Close or ctx cancel).
	Subscribe(ctx context.Context, after Position, filter Filter) (Subscription, error)

	// Head returns the position of the last committed event, 0 if none.
	Head(ctx context.Context) (Position, error)

	// Close releases the store. Live subscriptions end; later calls return
	// ErrClosed. Close is idempotent.
	Close() error
}

// AppendResult is where an append landed.
type AppendResult struct {
	// FirstPosition and LastPosition bound the appended events' positions.
	FirstPosition Position
	LastPosition  Position
	// Revision is the stream's revision after the append.
	Revision Revision
	// Duplicate is true when the append was an idempotent no-op.
	Duplicate bool
}

// Filter narrows a subscription. The zero Filter matches everything.
type Filter struct {
	// StreamPrefix, if set, keeps events whose stream starts with it.
	StreamPrefix string
	// Types, if set, keeps events whose Type is one of them.
	Types []string
}

// Matches reports whether e passes the filter.
func (f Filter) Matches(e Event) bool {
	if f.StreamPrefix != "" && (len(e.Stream) < len(f.StreamPrefix) || e.Stream[:len(f.StreamPrefix)] != f.StreamPrefix) {
		return false
	}
	if len(f.Types) == 0 {
		return true
	}
	for _, t := range f.Types {
		if t == e.Type {
			return true
		}
	}
	return false
}

// Subscription is a running subscription.
type Subscription interface {
	// Events yields events in position order; it is closed when the
	// subscription ends. A slow consumer slows the subscription down; it never
	// loses events.
	Events() <-chan Event
	// Err is why the subscription ended: nil after Close or context
	// cancellation, ErrClosed if the store closed, or the read error. Valid
	// once Events is closed.
	Err() error
	// Close ends the subscription and waits for it to stop. Idempotent.
	Close() error
}
