package event

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
)

// MaxStreamLength bounds stream names so they stay usable as index keys.
const MaxStreamLength = 256

// MaxTypeLength bounds event type names.
const MaxTypeLength = 128

// ValidateAppend checks an append's arguments as the Store contract requires.
// Adapters call it first so every adapter rejects the same inputs the same way.
func ValidateAppend(stream string, expected ExpectedRevision, events []Proposed) error {
	if err := ValidateStream(stream); err != nil {
		return err
	}
	if err := expected.Validate(); err != nil {
		return err
	}
	if len(events) == 0 {
		return fmt.Errorf("%w: no events to append to %q", ErrInvalidEvent, stream)
	}
	seen := make(map[uuid.UUID]struct{}, len(events))
	for i, e := range events {
		if err := e.Validate(); err != nil {
			return fmt.Errorf("event %d of %d: %w", i+1, len(events), err)
		}
		if _, dup := seen[e.ID]; dup {
			return fmt.Errorf("%w: event id %s appears twice in one append", ErrInvalidEvent, e.ID)
		}
		seen[e.ID] = struct{}{}
	}
	return nil
}

// ValidateStream checks a stream name: non-empty, at most MaxStreamLength bytes,
// valid UTF-8 without control characters.
func ValidateStream(stream string) error {
	if stream == "" {
		return fmt.Errorf("%w: empty stream name", ErrInvalidEvent)
	}
	if len(stream) > MaxStreamLength {
		return fmt.Errorf("%w: stream name longer than %d bytes", ErrInvalidEvent, MaxStreamLength)
	}
	for _, r := range stream {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return fmt.Errorf("%w: stream name %q has a control or invalid character", ErrInvalidEvent, stream)
		}
	}
	return nil
}

// Validate checks one proposed event.
func (p Proposed) Validate() error {
	switch {
	case p.ID == uuid.Nil:
		return fmt.Errorf("%w: zero event id", ErrInvalidEvent)
	case !validTypeName(p.Type):
		return fmt.Errorf("%w: event %s: type %q is not an UpperCamelCase name", ErrInvalidEvent, p.ID, p.Type)
	case p.Version < 1:
		return fmt.Errorf("%w: event %s: version %d < 1", ErrInvalidEvent, p.ID, p.Version)
	case len(p.Data) == 0:
		return fmt.Errorf("%w: event %s: nil data", ErrInvalidEvent, p.ID)
	case !json.Valid(p.Data):
		return fmt.Errorf("%w: event %s: data is not valid JSON", ErrInvalidEvent, p.ID)
	}
	return nil
}

// SameContent reports whether a stored event carries what p proposes, which is
// what makes a re-append of p an idempotent no-op. Data is compared after
// compaction so whitespace differences do not count; metadata does not count.
func SameContent(stored Event, stream string, p Proposed) bool {
	if stored.ID != p.ID || stored.Stream != stream || stored.Type != p.Type || stored.Version != p.Version {
		return false
	}
	return bytes.Equal(CompactJSON(stored.Data), CompactJSON(p.Data))
}

// CompactJSON removes insignificant whitespace; invalid JSON is returned as is.
func CompactJSON(data []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, data); err != nil {
		return data
	}
	return b.Bytes()
}

// TypeVersion joins a type and version as stored type names are written,
// e.g. "MessageSubmitted.v1".
func TypeVersion(typ string, version int) string { return fmt.Sprintf("%s.v%d", typ, version) }

// validTypeName accepts UpperCamelCase ASCII names without a version suffix. A
// loop rather than a regexp: it runs for every appended event.
func validTypeName(t string) bool {
	if t == "" || len(t) > MaxTypeLength || t[0] < 'A' || t[0] > 'Z' {
		return false
	}
	for i := 1; i < len(t); i++ {
		c := t[i]
		alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
		if !alnum {
			return false
		}
	}
	return true
}
