package aggregator_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func TestBroadcastIsConfirmedWithItsDigest(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	n.register(o)
	b := n.broadcast(o, "orders", "invoices")
	out := n.apply(n.pin(b, o.key), b.received) // pin first, batch later
	require.Len(t, only[catalogue.MessageConfirmed](out), 1, "%v", out)
	c := only[catalogue.MessageConfirmed](out)[0]
	assert.Equal(t, b.messages[0].ID(), c.MessageID)
	require.Len(t, c.Contexts, 2)
	var d protocol.ContextDigest
	d.Add(b.messages[0].Hash())
	assert.Equal(t, protocol.BroadcastContext(ns, "orders"), c.Contexts[0].Context)
	assert.Equal(t, d.Digest(), c.Contexts[0].Digest)
	assert.Equal(t, uint64(1), c.Contexts[0].Count)
	// The pin waited for its batch, so it was parked and then unparked.
	parked := only[catalogue.PinParked](out)
	require.Len(t, parked, 2)
	assert.Equal(t, catalogue.ParkWaitingBatch, parked[0].Reason)
	assert.Len(t, only[catalogue.PinUnparked](out), 2)
	assert.Empty(t, n.agg.Parked(false))
}

func TestUnregisteredAuthorIsRejected(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	b := n.broadcast(o, "orders")
	out := n.apply(b.received, n.pin(b, o.key))
	rej := only[catalogue.MessageRejected](out)
	require.Len(t, rej, 1)
	assert.Equal(t, catalogue.RejectAuthorNotRegistered, rej[0].Reason)
}

func TestWrongSignerAndTamperedBatchAreRejected(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o, other := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	n.register(o)
	b := n.broadcast(o, "orders")
	out := n.apply(b.received, n.pin(b, other.key))
	require.Len(t, only[catalogue.MessageRejected](out), 1)
	assert.Equal(t, catalogue.RejectWrongSigner, only[catalogue.MessageRejected](out)[0].Reason)

	b2 := n.broadcast(o, "orders")
	log := n.pin(b2, o.key)
	log.BatchHash = protocol.SHA256([]byte("something else"))
	out = n.apply(b2.received, log)
	require.Len(t, only[catalogue.MessageRejected](out), 1, "%v", out)
	assert.Equal(t, catalogue.RejectBatchHashMismatch, only[catalogue.MessageRejected](out)[0].Reason)

	// The context is not stuck: the next message goes through.
	b3 := n.broadcast(o, "orders")
	out = n.apply(b3.received, n.pin(b3, o.key))
	require.Len(t, only[catalogue.MessageConfirmed](out), 1)
	assert.Equal(t, uint64(1), only[catalogue.MessageConfirmed](out)[0].Contexts[0].Count)
}

func TestMissingBatchBlocksItsContextUntilItArrives(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	n.register(o)
	first := n.broadcast(o, "orders")
	out := n.apply(n.pin(first, o.key))
	var later []batch
	for range 5 {
		b := n.broadcast(o, "orders")
		later = append(later, b)
		out = append(out, n.apply(b.received, n.pin(b, o.key))...)
	}
	assert.Empty(t, only[catalogue.MessageConfirmed](out))
	parked := n.agg.Parked(true)
	require.Len(t, parked, 6)
	assert.Equal(t, catalogue.ParkWaitingBatch, parked[0].Reason)
	assert.Equal(t, "blocked-by "+parked[0].Pin.String(), parked[1].Label())
	out = n.apply(first.received)
	conf := only[catalogue.MessageConfirmed](out)
	require.Len(t, conf, 6)
	assert.Equal(t, first.messages[0].ID(), conf[0].MessageID)
	for i, b := range later {
		assert.Equal(t, b.messages[0].ID(), conf[i+1].MessageID)
		assert.Equal(t, uint64(i+2), conf[i+1].Contexts[0].Count)
	}
	assert.Empty(t, n.agg.Parked(false))
}
