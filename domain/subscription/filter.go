package subscription

import (
	"regexp"
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// FilterSpec is a filter as an application writes it: event types, and
// regular expressions (Go RE2 syntax, unanchored, as FireFly's) over the
// message's topics, tag, author DID and group hash; Type is a message type.
type FilterSpec = catalogue.SubscriptionFilter

// maxPattern bounds a regular expression's length. RE2 matches in linear
// time whatever the pattern, so this is only about keeping specs sane.
const maxPattern = 512

// App-facing event types (the projections' list, which a delivery test
// checks against this one: the domain cannot import projections).
const (
	EventMessageConfirmed       = "message_confirmed"
	EventMessageRejected        = "message_rejected"
	EventMessageDecisionRevoked = "message_decision_revoked"
)

// EventTypes lists every app-facing event type a filter may name.
func EventTypes() []string {
	return []string{EventMessageConfirmed, EventMessageRejected, EventMessageDecisionRevoked, "transaction_submitted",
		"transaction_failed", "blockchain_event_received", "identity_confirmed", "datatype_confirmed"}
}

// isMessageEvent says whether events of type t are about a message, and so
// have topics, a tag, an author and maybe a group.
func isMessageEvent(t string) bool {
	return t == EventMessageConfirmed || t == EventMessageRejected || t == EventMessageDecisionRevoked
}

// messageTypes are the values Filter.Type may take.
func messageTypes() []string {
	return []string{string(protocol.MessageTypeBroadcast), string(protocol.MessageTypePrivate),
		string(protocol.MessageTypeDefinition), string(protocol.MessageTypeTransferBroadcast),
		string(protocol.MessageTypeTransferPrivate)}
}

// EventFields are the parts of an app-facing event a filter looks at.
type EventFields struct {
	Type   string
	Topics []string
	Tag    string
	Author string
	// Group is the group hash in hex, empty for a broadcast.
	Group string
	// MessageType is the message's type; only needed when the filter's
	// NeedsMessageType says so (it is not in the event list's rows).
	MessageType string
}

// Filter is a compiled, valid filter. The zero Filter matches every event.
type Filter struct {
	spec                       FilterSpec
	events                     []string
	topics, tag, author, group *regexp.Regexp
}

// NewFilter checks spec and compiles its regular expressions.
func NewFilter(spec FilterSpec) (Filter, error) {
	f := Filter{spec: spec}
	known := EventTypes()
	for i, e := range spec.Events {
		if !slices.Contains(known, e) {
			return Filter{}, invalid("filter.events", "[%d] %q is not an event type (one of %v)", i, e, known)
		}
	}
	f.events = slices.Clone(spec.Events)
	var err error
	for _, p := range []struct {
		field, pattern string
		into           **regexp.Regexp
	}{
		{"filter.topics", spec.Topics, &f.topics}, {"filter.tag", spec.Tag, &f.tag},
		{"filter.author", spec.Author, &f.author}, {"filter.group", spec.Group, &f.group},
	} {
		if *p.into, err = compile(p.field, p.pattern); err != nil {
			return Filter{}, err
		}
	}
	if spec.Type != "" && !slices.Contains(messageTypes(), spec.Type) {
		return Filter{}, invalid("filter.type", "%q is not a message type (one of %v)", spec.Type, messageTypes())
	}
	return f, nil
}

func compile(field, pattern string) (*regexp.Regexp, error) {
	if pattern == "" {
		return nil, nil
	}
	if len(pattern) > maxPattern {
		return nil, invalid(field, "regular expression longer than %d bytes", maxPattern)
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, invalid(field, "%v", err)
	}
	return re, nil
}

// Spec returns the filter as it was written.
func (f Filter) Spec() FilterSpec {
	s := f.spec
	s.Events = slices.Clone(s.Events)
	return s
}

// NeedsMessageType says whether Matches reads EventFields.MessageType.
func (f Filter) NeedsMessageType() bool { return f.spec.Type != "" }

// onMessages says whether the filter names a message field: then only
// message events can pass it.
func (f Filter) onMessages() bool {
	return f.topics != nil || f.tag != nil || f.author != nil || f.group != nil || f.spec.Type != ""
}

// Matches reports whether e passes every part of the filter. A filter on a
// message field (topics, tag, author, group, type) passes message events
// only. Topics passes when any of the message's topics matches.
func (f Filter) Matches(e EventFields) bool {
	if len(f.events) > 0 && !slices.Contains(f.events, e.Type) {
		return false
	}
	if !f.onMessages() {
		return true
	}
	if !isMessageEvent(e.Type) {
		return false
	}
	if f.topics != nil && !slices.ContainsFunc(e.Topics, f.topics.MatchString) {
		return false
	}
	for _, c := range []struct {
		re    *regexp.Regexp
		value string
	}{{f.tag, e.Tag}, {f.author, e.Author}, {f.group, e.Group}} {
		if c.re != nil && !c.re.MatchString(c.value) {
			return false
		}
	}
	return f.spec.Type == "" || f.spec.Type == e.MessageType
}
