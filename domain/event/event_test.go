package event_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func TestExpectedRevision(t *testing.T) {
	cases := []struct {
		exp     event.ExpectedRevision
		current event.Revision
		allows  bool
	}{
		{event.Any(), 0, true},
		{event.Any(), 7, true},
		{event.NoStream(), 0, true},
		{event.NoStream(), 1, false},
		{event.Exact(3), 3, true},
		{event.Exact(3), 2, false},
		{event.Exact(0), 0, true},
		{event.Exact(0), 1, false},
	}
	for _, c := range cases {
		assert.Equal(t, c.allows, c.exp.Allows(c.current), "%s at %d", c.exp, c.current)
		assert.NoError(t, c.exp.Validate())
	}
	assert.Equal(t, "no-stream", event.Exact(0).String())
	assert.Equal(t, "exact(3)", event.Exact(3).String())
	assert.Equal(t, "any", event.ExpectedRevision{}.String(), "the zero value is Any")
}

func proposed() event.Proposed {
	return event.Proposed{ID: uuid.New(), Type: "MessageSubmitted", Version: 1, Data: json.RawMessage(`{"a":1}`)}
}

func TestValidateAppend(t *testing.T) {
	good := proposed()
	assert.NoError(t, event.ValidateAppend("message-1", event.Any(), []event.Proposed{good}))

	mut := func(f func(*event.Proposed)) []event.Proposed {
		p := proposed()
		f(&p)
		return []event.Proposed{p}
	}
	cases := map[string]struct {
		stream string
		events []event.Proposed
	}{
		"empty stream":      {"", []event.Proposed{good}},
		"long stream":       {strings.Repeat("s", event.MaxStreamLength+1), []event.Proposed{good}},
		"control in stream": {"a\nb", []event.Proposed{good}},
		"no events":         {"s", nil},
		"zero id":           {"s", mut(func(p *event.Proposed) { p.ID = uuid.Nil })},
		"empty type":        {"s", mut(func(p *event.Proposed) { p.Type = "" })},
		"versioned type":    {"s", mut(func(p *event.Proposed) { p.Type = "Message.v1" })},
		"long type":         {"s", mut(func(p *event.Proposed) { p.Type = strings.Repeat("A", event.MaxTypeLength+1) })},
		"lower-case type":   {"s", mut(func(p *event.Proposed) { p.Type = "messageSubmitted" })},
		"version 0":         {"s", mut(func(p *event.Proposed) { p.Version = 0 })},
		"nil data":          {"s", mut(func(p *event.Proposed) { p.Data = nil })},
		"not json":          {"s", mut(func(p *event.Proposed) { p.Data = []byte("{") })},
		"same id twice":     {"s", []event.Proposed{good, good}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			assert.ErrorIs(t, event.ValidateAppend(c.stream, event.Any(), c.events), event.ErrInvalidEvent)
		})
	}
}

func TestSameContent(t *testing.T) {
	p := proposed()
	stored := event.Event{ID: p.ID, Stream: "s", Type: p.Type, Version: 1, Data: json.RawMessage("{ \"a\" : 1 }")}
	assert.True(t, event.SameContent(stored, "s", p), "whitespace does not count")
	assert.False(t, event.SameContent(stored, "t", p), "another stream")
	p2 := p
	p2.Data = json.RawMessage(`{"a":2}`)
	assert.False(t, event.SameContent(stored, "s", p2))
	p3 := p
	p3.Version = 2
	assert.False(t, event.SameContent(stored, "s", p3))
	p4 := p
	p4.Metadata.CorrelationID = "x"
	assert.True(t, event.SameContent(stored, "s", p4), "metadata does not count")
}

func TestFilter(t *testing.T) {
	e := event.Event{Stream: "message-1", Type: "MessageSubmitted"}
	assert.True(t, event.Filter{}.Matches(e))
	assert.True(t, event.Filter{StreamPrefix: "message-"}.Matches(e))
	assert.False(t, event.Filter{StreamPrefix: "batch-"}.Matches(e))
	assert.False(t, event.Filter{StreamPrefix: "message-1-and-more"}.Matches(e))
	assert.True(t, event.Filter{Types: []string{"A", "MessageSubmitted"}}.Matches(e))
	assert.False(t, event.Filter{StreamPrefix: "message-", Types: []string{"A"}}.Matches(e))
}

func TestTypedErrors(t *testing.T) {
	err := error(&event.WrongRevisionError{Stream: "s", Expected: event.Exact(2), Actual: 3})
	assert.ErrorIs(t, err, event.ErrWrongRevision)
	assert.Equal(t, `stream "s": expected revision exact(2), actual 3`, err.Error())
	err = &event.DuplicateEventIDError{ID: uuid.Nil, Reason: "stored with other content"}
	assert.ErrorIs(t, err, event.ErrDuplicateEventID)
	assert.Equal(t, "v1", event.Event{Type: "X", Version: 1}.TypeVersion()[2:])
}
