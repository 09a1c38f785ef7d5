package event

import (
	"errors"
	"fmt"

	"github.com/google/uuid"
)

// Sentinel errors of the event store port. Adapters wrap them (errors.Is works);
// the typed errors below carry the details.
var (
	// ErrInvalidEvent: a Proposed event or an argument is malformed (empty stream
	// name, zero id, missing type, version < 1, nil or non-JSON data, ...).
	ErrInvalidEvent = errors.New("invalid event")
	// ErrInvalidRevision: an ExpectedRevision that Any/NoStream/Exact cannot build.
	ErrInvalidRevision = errors.New("invalid expected revision")
	// ErrWrongRevision: the optimistic-concurrency check failed.
	ErrWrongRevision = errors.New("wrong expected revision")
	// ErrDuplicateEventID: an event id is already stored with different content,
	// or a retried append only partly matches what is stored.
	ErrDuplicateEventID = errors.New("duplicate event id")
	// ErrClosed: the store has been closed.
	ErrClosed = errors.New("event store closed")
	// ErrStorageUnavailable: the store (or a read model) cannot write now,
	// for a reason outside the program: the disk is full, the files or the
	// database are read-only, an I/O error. Nothing was written; the same
	// write may succeed once the operator has fixed the cause (RetryStorage).
	ErrStorageUnavailable = errors.New("storage cannot write now")
)

// WrongRevisionError says which stream failed the concurrency check and why.
type WrongRevisionError struct {
	Stream   string
	Expected ExpectedRevision
	Actual   Revision
}

func (e *WrongRevisionError) Error() string {
	return fmt.Sprintf("stream %q: expected revision %s, actual %d", e.Stream, e.Expected, e.Actual)
}

func (e *WrongRevisionError) Unwrap() error { return ErrWrongRevision }

// DuplicateEventIDError names the event id whose stored content differs.
type DuplicateEventIDError struct {
	ID     uuid.UUID
	Reason string
}

func (e *DuplicateEventIDError) Error() string {
	return fmt.Sprintf("event %s: %s", e.ID, e.Reason)
}

func (e *DuplicateEventIDError) Unwrap() error { return ErrDuplicateEventID }
