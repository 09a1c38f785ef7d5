package catalogue

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
)

// Payload is the body of a domain event.
type Payload interface {
	// EventType is the event's unversioned type name, e.g. "MessageSubmitted".
	EventType() string
	// Validate reports whether the payload is well formed. Decode calls it, so
	// a malformed stored event is an error, never a half-built value.
	Validate() error
}

// Upcaster turns the JSON of one schema version into the next version's JSON.
type Upcaster func(json.RawMessage) (json.RawMessage, error)

// Errors returned by Decode and Encode, wrapped in a *DecodeError or with detail.
var (
	ErrUnknownEventType = errors.New("unknown event type")
	ErrUnknownVersion   = errors.New("unknown event version")
	ErrMalformedEvent   = errors.New("malformed event")
)

// DecodeError names the stored event that could not be decoded.
type DecodeError struct {
	ID       uuid.UUID
	Stream   string
	Position event.Position
	Type     string
	Version  int
	Err      error
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("event %s (%s.v%d, stream %q, position %d): %v", e.ID, e.Type, e.Version, e.Stream, e.Position, e.Err)
}

func (e *DecodeError) Unwrap() error { return e.Err }

// entry is one registered event type.
type entry struct {
	version   int
	payload   reflect.Type // a struct type implementing Payload
	upcasters map[int]Upcaster
	// shape is what decoding checks for unknown members, when the payload
	// has no hand-written decoder (strictPayload).
	shape *shape
}

// Catalogue maps event types to payloads and upcasters. Build it once at
// start-up; it is read-only afterwards and safe for concurrent use.
type Catalogue struct {
	entries map[string]*entry
}

// New returns an empty catalogue; Default returns the node's.
func New() *Catalogue { return &Catalogue{entries: map[string]*entry{}} }

// Register adds an event type at its current version. sample is a zero value of
// the payload struct (not a pointer), with no embedded fields. Registering a type twice is a programming
// error and panics at start-up, never on input.
func (c *Catalogue) Register(sample Payload, version int) {
	t := reflect.TypeOf(sample)
	if t.Kind() != reflect.Struct || version < 1 {
		panic(fmt.Sprintf("catalogue: register %T v%d: want a struct payload and version >= 1", sample, version))
	}
	name := sample.EventType()
	if _, dup := c.entries[name]; dup {
		panic("catalogue: " + name + " registered twice")
	}
	e := &entry{version: version, payload: t, upcasters: map[int]Upcaster{}}
	if !reflect.PointerTo(t).Implements(strictPayloadType) {
		e.shape = shapeOf(t)
	}
	c.entries[name] = e
}

// RegisterUpcaster adds the step from version from to from+1 of typ.
func (c *Catalogue) RegisterUpcaster(typ string, from int, up Upcaster) {
	e, ok := c.entries[typ]
	if !ok || from < 1 || from >= e.version {
		panic(fmt.Sprintf("catalogue: upcaster %s v%d: type not registered or version out of range", typ, from))
	}
	e.upcasters[from] = up
}

// Version is the current schema version of typ.
func (c *Catalogue) Version(typ string) (int, bool) {
	e, ok := c.entries[typ]
	if !ok {
		return 0, false
	}
	return e.version, true
}

// Types lists the registered types, sorted.
func (c *Catalogue) Types() []string {
	out := make([]string, 0, len(c.entries))
	for t := range c.entries {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// Sample returns a zero payload of typ, for schema generation and tests.
func (c *Catalogue) Sample(typ string) (Payload, bool) {
	e, ok := c.entries[typ]
	if !ok {
		return nil, false
	}
	return reflect.New(e.payload).Elem().Interface().(Payload), true
}

// Encode validates p and wraps it as an event proposal at its current version.
func (c *Catalogue) Encode(id uuid.UUID, p Payload, meta event.Metadata) (event.Proposed, error) {
	e, ok := c.entries[p.EventType()]
	if !ok {
		return event.Proposed{}, fmt.Errorf("%w: %s", ErrUnknownEventType, p.EventType())
	}
	if reflect.TypeOf(p) != e.payload {
		return event.Proposed{}, fmt.Errorf("%w: %s: payload is %T, want %s", ErrMalformedEvent, p.EventType(), p, e.payload)
	}
	if err := p.Validate(); err != nil {
		return event.Proposed{}, fmt.Errorf("%w: %s: %w", ErrMalformedEvent, p.EventType(), err)
	}
	data, err := PayloadJSON(p)
	if err != nil {
		return event.Proposed{}, fmt.Errorf("%w: %s: %w", ErrMalformedEvent, p.EventType(), err)
	}
	return event.Proposed{ID: id, Type: p.EventType(), Version: e.version, Data: data, Metadata: meta}, nil
}

// Decode upcasts a stored event to the current version of its type and decodes
// it strictly (unknown fields are an error) into a validated payload. Errors
// are *DecodeError naming the event and wrap ErrUnknownEventType,
// ErrUnknownVersion or ErrMalformedEvent.
//
// An event with a Memo is decoded once per catalogue for all its readers:
// the first caller decodes it, later ones with the same *Catalogue get the
// same payload (or the same error). The payload is then shared between
// goroutines and must not be changed in place.
func (c *Catalogue) Decode(ev event.Event) (Payload, error) {
	if ev.Memo == nil {
		return c.decode(ev)
	}
	v, err := ev.Memo.Do(c, func() (any, error) { return c.decode(ev) })
	if err != nil {
		return nil, err
	}
	return v.(Payload), nil
}

func (c *Catalogue) decode(ev event.Event) (Payload, error) {
	fail := func(err error) (Payload, error) {
		return nil, &DecodeError{ID: ev.ID, Stream: ev.Stream, Position: ev.Position, Type: ev.Type, Version: ev.Version, Err: err}
	}
	e, ok := c.entries[ev.Type]
	if !ok {
		return fail(ErrUnknownEventType)
	}
	if ev.Version < 1 || ev.Version > e.version {
		return fail(fmt.Errorf("%w: this node knows versions 1 to %d", ErrUnknownVersion, e.version))
	}
	data := ev.Data
	for v := ev.Version; v < e.version; v++ {
		up, ok := e.upcasters[v]
		if !ok {
			return fail(fmt.Errorf("%w: no upcaster from v%d", ErrUnknownVersion, v))
		}
		var err error
		if data, err = up(data); err != nil {
			return fail(fmt.Errorf("%w: upcasting v%d: %w", ErrMalformedEvent, v, err))
		}
	}
	// Events with a Memo share their Data between readers, read-only (see
	// event.Event), so a payload may keep slices of it.
	ptr, err := e.decodeJSON(data, ev.Memo != nil)
	if err != nil {
		return fail(fmt.Errorf("%w: %w", ErrMalformedEvent, err))
	}
	p := ptr.Elem().Interface().(Payload)
	if err := p.Validate(); err != nil {
		return fail(fmt.Errorf("%w: %w", ErrMalformedEvent, err))
	}
	return p, nil
}

// decodeJSON decodes data into a new payload as a json.Decoder with
// DisallowUnknownFields used to, reading its first value and calling More:
// only white space, or a ']' or '}' (which More does not count as a further
// value), may follow. The Decoder copied the whole input into its buffer
// first, several times over for a large batch; this reads data in place.
func (e *entry) decodeJSON(data []byte, readOnly bool) (reflect.Value, error) {
	end, ok := jsonscan.Prefix(data)
	if !ok {
		return reflect.Value{}, errors.New("not one JSON value")
	}
	if rest := jsonscan.SkipSpace(data, end); rest < len(data) && data[rest] != ']' && data[rest] != '}' {
		return reflect.Value{}, errors.New("trailing data after the JSON value")
	}
	text := data[jsonscan.SkipSpace(data, 0):end]
	ptr := reflect.New(e.payload)
	if e.shape == nil {
		return ptr, ptr.Interface().(strictPayload).decodeStrict(text, readOnly)
	}
	if err := e.shape.check(text); err != nil {
		return reflect.Value{}, err
	}
	// json.Unmarshal validates text again (it cannot be told it is valid),
	// but it reads it in place.
	return ptr, json.Unmarshal(text, ptr.Interface())
}
