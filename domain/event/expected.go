package event

import "fmt"

// ExpectedRevision is the optimistic-concurrency condition of an append.
type ExpectedRevision struct {
	kind expectKind
	rev  Revision
}

type expectKind uint8

const (
	expectAny expectKind = iota
	expectNoStream
	expectExact
)

// Any appends whatever the stream's current revision.
func Any() ExpectedRevision { return ExpectedRevision{kind: expectAny} }

// NoStream appends only if the stream has no events yet.
func NoStream() ExpectedRevision { return ExpectedRevision{kind: expectNoStream} }

// Exact appends only if the stream's last event has revision r. Exact(0) is the
// same condition as NoStream.
func Exact(r Revision) ExpectedRevision {
	if r == 0 {
		return NoStream()
	}
	return ExpectedRevision{kind: expectExact, rev: r}
}

// Allows reports whether a stream currently at revision current satisfies the
// condition.
func (e ExpectedRevision) Allows(current Revision) bool {
	switch e.kind {
	case expectNoStream:
		return current == 0
	case expectExact:
		return current == e.rev
	default:
		return true
	}
}

// Validate rejects conditions built by hand rather than with Any/NoStream/Exact.
func (e ExpectedRevision) Validate() error {
	switch {
	case e.kind > expectExact:
		return fmt.Errorf("%w: unknown kind %d", ErrInvalidRevision, e.kind)
	case e.kind == expectExact && e.rev == 0:
		return fmt.Errorf("%w: exact revision 0 (use NoStream)", ErrInvalidRevision)
	case e.kind != expectExact && e.rev != 0:
		return fmt.Errorf("%w: revision %d without Exact", ErrInvalidRevision, e.rev)
	}
	return nil
}

func (e ExpectedRevision) String() string {
	switch e.kind {
	case expectNoStream:
		return "no-stream"
	case expectExact:
		return fmt.Sprintf("exact(%d)", e.rev)
	default:
		return "any"
	}
}
