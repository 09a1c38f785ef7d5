package subscription_test

import (
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

func TestNewFilterRefusesBadSpecs(t *testing.T) {
	for name, spec := range map[string]subscription.FilterSpec{
		"unknown event":  {Events: []string{"message_confirmed", "MessageConfirmed"}},
		"bad topics":     {Topics: "orders("},
		"bad tag":        {Tag: "[a-"},
		"bad author":     {Author: "*"},
		"bad group":      {Group: "(?<x"},
		"unknown type":   {Type: "shouted"},
		"too long regex": {Tag: string(make([]byte, 600))},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := subscription.NewFilter(spec)
			assert.ErrorIs(t, err, subscription.ErrInvalid)
		})
	}
}

func TestFilterMatches(t *testing.T) {
	msg := subscription.EventFields{Type: "message_confirmed", Topics: []string{"orders", "invoices"}, Tag: "new",
		Author: "did:lm:org/org1", Group: "", MessageType: "broadcast"}
	tx := subscription.EventFields{Type: "transaction_submitted"}
	for _, c := range []struct {
		name     string
		spec     subscription.FilterSpec
		msg, tx  bool
		needType bool
	}{
		{name: "empty matches all", msg: true, tx: true},
		{name: "event type", spec: subscription.FilterSpec{Events: []string{"transaction_submitted"}}, tx: true},
		{name: "any topic matches", spec: subscription.FilterSpec{Topics: "^invoices$"}, msg: true},
		{name: "topic regex unanchored", spec: subscription.FilterSpec{Topics: "voice"}, msg: true},
		{name: "no topic matches", spec: subscription.FilterSpec{Topics: "^payments$"}},
		{name: "tag", spec: subscription.FilterSpec{Tag: "^new$"}, msg: true},
		{name: "author", spec: subscription.FilterSpec{Author: "org2"}},
		{name: "broadcast has no group", spec: subscription.FilterSpec{Group: "^[0-9a-f]+$"}},
		{name: "type", spec: subscription.FilterSpec{Type: "broadcast"}, msg: true, needType: true},
		{name: "other type", spec: subscription.FilterSpec{Type: "private"}, needType: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := subscription.NewFilter(c.spec)
			require.NoError(t, err)
			assert.Equal(t, c.msg, f.Matches(msg), "message event")
			assert.Equal(t, c.tx, f.Matches(tx), "transaction event")
			assert.Equal(t, c.needType, f.NeedsMessageType())
			assert.Equal(t, c.spec, f.Spec())
		})
	}
}

// TestFilterMatchesLikeTheDefinition checks random filters on random
// events against the definition written out plainly: every condition the
// filter has must hold, message-field conditions only hold for message
// events, and a topic condition holds when one of the topics equals it.
func TestFilterMatchesLikeTheDefinition(t *testing.T) {
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 1))
	words := []string{"a", "b", "orders", "x.y", "did:lm:org/o1", "0a1b"}
	types := subscription.EventTypes()
	pick := func(from []string) string { return from[rng.IntN(len(from))] }
	maybe := func(from []string) string {
		if rng.IntN(2) == 0 {
			return ""
		}
		return pick(from)
	}
	for range 5000 {
		e := subscription.EventFields{Type: pick(types), Tag: maybe(words), Author: maybe(words), Group: maybe(words),
			MessageType: pick([]string{"broadcast", "private"})}
		for range rng.IntN(3) {
			e.Topics = append(e.Topics, pick(words))
		}
		var spec subscription.FilterSpec
		for range rng.IntN(3) {
			spec.Events = append(spec.Events, pick(types))
		}
		exact := func(s string) string {
			if s == "" {
				return ""
			}
			return "^" + regexp.QuoteMeta(s) + "$"
		}
		topic, tag, author, group := maybe(words), maybe(words), maybe(words), maybe(words)
		spec.Topics, spec.Tag, spec.Author, spec.Group = exact(topic), exact(tag), exact(author), exact(group)
		spec.Type = maybe([]string{"broadcast", "private"})
		f, err := subscription.NewFilter(spec)
		require.NoError(t, err)

		onMessage := topic != "" || tag != "" || author != "" || group != "" || spec.Type != ""
		isMessage := e.Type == "message_confirmed" || e.Type == "message_rejected" || e.Type == "message_decision_revoked"
		want := (len(spec.Events) == 0 || slices.Contains(spec.Events, e.Type)) &&
			(!onMessage || isMessage) &&
			(topic == "" || slices.Contains(e.Topics, topic)) &&
			(tag == "" || tag == e.Tag) && (author == "" || author == e.Author) && (group == "" || group == e.Group) &&
			(spec.Type == "" || spec.Type == e.MessageType)
		require.Equal(t, want, f.Matches(e), "filter %+v on event %+v", spec, e)
	}
}
