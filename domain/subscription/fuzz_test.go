package subscription_test

import (
	"strings"
	"testing"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// FuzzNewFilter feeds NewFilter arbitrary patterns: it must refuse or
// accept without panicking, and an accepted filter must match without
// panicking and give back the spec it was built from.
func FuzzNewFilter(f *testing.F) {
	f.Add("message_confirmed", "^orders$", "tag", "org1", "[0-9a-f]+", "private", "orders")
	f.Add("", "(", "[", "*", "(?<x", "", "")
	f.Fuzz(func(t *testing.T, ev, topics, tag, author, group, typ, value string) {
		spec := subscription.FilterSpec{Topics: topics, Tag: tag, Author: author, Group: group, Type: typ}
		if ev != "" {
			spec.Events = []string{ev}
		}
		flt, err := subscription.NewFilter(spec)
		if err != nil {
			return
		}
		flt.Matches(subscription.EventFields{Type: ev, Topics: []string{value}, Tag: value, Author: value, Group: value, MessageType: typ})
		if got := flt.Spec(); got.Topics != topics || got.Tag != tag || got.Type != typ {
			t.Fatalf("spec %+v came back as %+v", spec, got)
		}
	})
}

// FuzzParseSubject: a template either is refused or renders, for any field
// values, a subject of non-empty dot-separated tokens without white space
// or wildcards, at most 255 bytes long.
func FuzzParseSubject(f *testing.F) {
	f.Add("ledgermirror.{namespace}.{type}", "default", "orders.eu")
	f.Add("{topic}.{tag}.{author}", "", " * > ")
	f.Add("a.{x", "", "")
	f.Fuzz(func(t *testing.T, tmpl, ns, value string) {
		s, err := subscription.ParseSubject(tmpl)
		if err != nil {
			return
		}
		out := s.Render(subscription.SubjectFields{Namespace: ns, Type: value, Topic: value, Tag: value, Author: value})
		if len(out) > 255 {
			t.Fatalf("%q rendered %d bytes", tmpl, len(out))
		}
		for _, tok := range strings.Split(out, ".") {
			if tok == "" || strings.ContainsAny(tok, "*> \t\r\n") {
				t.Fatalf("%q rendered %q, with a bad token %q", tmpl, out, tok)
			}
		}
	})
}
