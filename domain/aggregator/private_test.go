package aggregator_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

func TestPrivatePinsArePlacedByNonceWhateverTheArrivalOrder(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	a, b := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	n.register(a)
	n.register(b)
	g := n.group("g1", a, b)
	b1 := n.private(a, g, "deal")
	b2 := n.private(b, g, "deal")
	b3 := n.private(a, g, "deal")
	p1, p2, p3 := n.pin(b1, a.key), n.pin(b2, b.key), n.pin(b3, a.key)
	// Pins first: nothing is known about the context, so they are not for us.
	out := n.apply(p1, p2, p3)
	for _, p := range only[catalogue.PinParked](out) {
		assert.Equal(t, catalogue.ParkNotForUs, p.Reason)
	}
	assert.Empty(t, n.agg.Parked(true), "not-for-us pins are not stuck")
	// The last batch arrives first: its context becomes known, the earlier
	// pins are placed, and it waits behind them.
	out = n.apply(catalogue.GroupKnown{Namespace: ns, Group: g}, b3.received)
	assert.Empty(t, only[catalogue.MessageConfirmed](out))
	stuck := n.agg.Parked(true)
	require.Len(t, stuck, 3, "%v", stuck)
	assert.Equal(t, catalogue.ParkWaitingBatch, stuck[0].Reason)
	assert.Equal(t, catalogue.ParkBlockedBy, stuck[2].Reason)
	out = n.apply(b2.received, b1.received)
	conf := only[catalogue.MessageConfirmed](out)
	require.Len(t, conf, 3, "%v", out)
	assert.Equal(t, b1.messages[0].ID(), conf[0].MessageID)
	assert.Equal(t, b2.messages[0].ID(), conf[1].MessageID)
	assert.Equal(t, b3.messages[0].ID(), conf[2].MessageID)
	assert.Equal(t, uint64(3), conf[2].Contexts[0].Count)
	assert.Empty(t, n.agg.Parked(false))
}

func TestWrongNonceIsRejectedAndFreesTheContext(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	a, b := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	n.register(a)
	n.register(b)
	g := n.group("g1", a, b)
	n.apply(catalogue.GroupKnown{Namespace: ns, Group: g})
	b1 := n.private(a, g, "deal")
	p1 := n.pin(b1, a.key)
	// b2 skips a nonce: its author pins nonce 2 where 1 is owed.
	b2 := n.private(a, g, "deal")
	n.pin(n.private(a, g, "deal"), a.key) // consumes nonce 1 without being observed
	p2 := n.pin(b2, a.key)
	b3 := n.private(b, g, "deal")
	p3 := n.pin(b3, b.key)
	out := n.apply(b1.received, b2.received, b3.received, p1, p2, p3)
	require.Len(t, only[catalogue.MessageConfirmed](out), 2, "%v", out)
	rej := only[catalogue.MessageRejected](out)
	require.Len(t, rej, 1)
	assert.Equal(t, catalogue.RejectNonceMismatch, rej[0].Reason)
	assert.Equal(t, b2.messages[0].ID(), rej[0].MessageID)
}

func TestNonMemberIsRejected(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	a, b, c := newOrg(t, "org1", 1), newOrg(t, "org2", 2), newOrg(t, "org3", 3)
	for _, o := range []org{a, b, c} {
		n.register(o)
	}
	g := n.group("g1", a, b)
	bad := n.private(c, g, "deal")
	out := n.apply(catalogue.GroupKnown{Namespace: ns, Group: g}, bad.received, n.pin(bad, c.key))
	rej := only[catalogue.MessageRejected](out)
	require.Len(t, rej, 1, "%v", out)
	assert.Equal(t, catalogue.RejectNotGroupMember, rej[0].Reason)
}
