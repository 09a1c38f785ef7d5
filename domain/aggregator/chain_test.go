package aggregator_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func TestPinsWaitForConfirmations(t *testing.T) {
	n := newNet(t, aggregator.Config{Confirmations: 3})
	o := newOrg(t, "org1", 1)
	reg := n.registration(o)
	regPin := n.pin(reg, o.key)
	out := n.apply(reg.received, regPin)
	assert.Empty(t, only[catalogue.IdentityRegistered](out))
	assert.Equal(t, catalogue.ParkWaitingConfirmations, only[catalogue.PinParked](out)[0].Reason)
	head := catalogue.ChainCheckpoint{Chain: regPin.Location.Chain, Contract: regPin.Location.Contract,
		BlockNumber: regPin.Location.BlockNumber + 2, BlockHash: "0xab"}
	assert.Empty(t, only[catalogue.IdentityRegistered](n.apply(head)))
	head.BlockNumber++
	assert.Len(t, only[catalogue.IdentityRegistered](n.apply(head)), 1)
}

func TestReorgRevokesAndRedecides(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	n.register(o)
	b1, b2 := n.broadcast(o, "orders"), n.broadcast(o, "orders")
	p1, p2 := n.pin(b1, o.key), n.pin(b2, o.key)
	out := n.apply(b1.received, b2.received, p1, p2)
	require.Len(t, only[catalogue.MessageConfirmed](out), 2)
	before, err := n.agg.Digests()
	require.NoError(t, err)

	// p1's block is orphaned; p2's log is still canonical (a real connector
	// would remove it too, but the aggregator must cope either way).
	out = n.apply(catalogue.PinRemoved{Namespace: ns, Location: p1.Location, Reason: "reorg"})
	revoked := only[catalogue.DecisionRevoked](out)
	require.Len(t, revoked, 2, "both decisions at or after the removed pin are revoked: %v", out)
	assert.Equal(t, b2.messages[0].ID(), revoked[0].MessageID, "newest first")
	conf := only[catalogue.MessageConfirmed](out)
	require.Len(t, conf, 1, "b2 is decided again, now first on the context")
	assert.Equal(t, uint64(1), conf[0].Contexts[0].Count)

	// b1 is re-mined in a later block: it now comes after b2.
	n.block += 5
	p1again := p1
	p1again.Location = n.loc(n.block)
	out = n.apply(p1again)
	conf = only[catalogue.MessageConfirmed](out)
	require.Len(t, conf, 1)
	assert.Equal(t, b1.messages[0].ID(), conf[0].MessageID)
	assert.Equal(t, uint64(2), conf[0].Contexts[0].Count)
	after, err := n.agg.Digests()
	require.NoError(t, err)
	assert.NotEqual(t, before.Broadcast, after.Broadcast, "the order changed, so the digest did")
}

func TestReorgOfARegistrationRewindsTheRegistry(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	reg := n.registration(o)
	regPin := n.pin(reg, o.key)
	b := n.broadcast(o, "orders")
	bPin := n.pin(b, o.key)
	out := n.apply(reg.received, b.received, regPin, bPin)
	require.Len(t, only[catalogue.MessageConfirmed](out), 2)
	out = n.apply(catalogue.PinRemoved{Namespace: ns, Location: regPin.Location, Reason: "reorg"})
	rej := only[catalogue.MessageRejected](out)
	require.Len(t, rej, 1, "without the registration the author is unknown: %v", out)
	assert.Equal(t, catalogue.RejectAuthorNotRegistered, rej[0].Reason)
}

func TestDefinitionsAreABarrierSoLateRegistrationsDoNotChangeTheOutcome(t *testing.T) {
	o := newOrg(t, "org1", 1)
	n := newNet(t, aggregator.Config{})
	reg := n.registration(o)
	b := n.broadcast(o, "orders")
	regPin, bPin := n.pin(reg, o.key), n.pin(b, o.key)
	// The message's batch is here, the registration's is not: the message
	// must wait, or it would be judged by a registry missing an earlier
	// definition.
	out := n.apply(b.received, regPin, bPin)
	assert.Empty(t, only[catalogue.MessageRejected](out))
	parked := n.agg.Parked(true)
	require.Len(t, parked, 2)
	assert.Equal(t, "blocked-by "+parked[0].Pin.String(), parked[1].Label())
	out = n.apply(reg.received)
	assert.Len(t, only[catalogue.MessageConfirmed](out), 2)
}

func TestDuplicateMessageInASecondBatchIsRejected(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	n.register(o)
	b := n.broadcast(o, "orders")
	again := n.batch(b.messages, dataOf(t, b))
	out := n.apply(b.received, again.received, n.pin(b, o.key), n.pin(again, o.key))
	require.Len(t, only[catalogue.MessageConfirmed](out), 1, "%v", out)
	rej := only[catalogue.MessageRejected](out)
	require.Len(t, rej, 1)
	assert.Equal(t, catalogue.RejectDuplicateMessageID, rej[0].Reason)
	assert.Equal(t, again.manifest.ID(), rej[0].BatchID)
}

func dataOf(t *testing.T, b batch) []protocol.Data {
	var out []protocol.Data
	for _, raw := range b.received.Data {
		d, err := protocol.UnmarshalData(raw)
		require.NoError(t, err)
		out = append(out, d)
	}
	return out
}

func TestDatatypesAreEnforced(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	n.register(o)
	ref, err := protocol.NewDatatypeRef("invoice", "1")
	require.NoError(t, err)
	v, err := definition.Definition{Datatype: &definition.Datatype{Ref: ref,
		Schema: json.RawMessage(`{"type":"object","required":["amount"]}`)}}.Value()
	require.NoError(t, err)
	dm, dd := n.message(o, protocol.MessageTypeDefinition, nil, string(v), protocol.DefinitionsTopic)
	def := n.batch([]protocol.Message{dm}, []protocol.Data{dd})
	out := n.apply(def.received, n.pin(def, o.key))
	require.Len(t, only[catalogue.DatatypeDefined](out), 1, "%v", out)

	typed := func(value string) batch {
		d, err := protocol.NewData(protocol.DataFields{ID: newID(), Value: json.RawMessage(value), Datatype: &ref})
		require.NoError(t, err)
		m, err := protocol.BuildMessage(headerOf(o, "orders"), []protocol.DataRef{d.Ref()})
		require.NoError(t, err)
		return n.batch([]protocol.Message{m}, []protocol.Data{d})
	}
	good, bad := typed(`{"amount":3}`), typed(`{"total":3}`)
	out = n.apply(good.received, bad.received, n.pin(good, o.key), n.pin(bad, o.key))
	require.Len(t, only[catalogue.MessageConfirmed](out), 1, "%v", out)
	rej := only[catalogue.MessageRejected](out)
	require.Len(t, rej, 1)
	assert.Equal(t, catalogue.RejectDatatypeInvalid, rej[0].Reason)
	assert.Equal(t, bad.messages[0].ID(), rej[0].MessageID)
}

func TestAMissingDefinitionOnlyHoldsBackWhatItCouldChange(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	a, b := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	n.register(a)
	n.register(b)
	// org2 pins a definition whose batch does not arrive (yet).
	nodeDef := n.registration(b)
	defPin := n.pin(nodeDef, b.key)
	fromA, fromB := n.broadcast(a, "orders"), n.broadcast(b, "orders2")
	out := n.apply(defPin, fromA.received, fromB.received, n.pin(fromA, a.key), n.pin(fromB, b.key))
	conf := only[catalogue.MessageConfirmed](out)
	require.Len(t, conf, 1, "org1's message cannot depend on org2's definition: %v", out)
	assert.Equal(t, fromA.messages[0].ID(), conf[0].MessageID)
	stuck := n.agg.Parked(true)
	require.Len(t, stuck, 2)
	assert.Equal(t, "blocked-by "+stuck[0].Pin.String(), stuck[1].Label())
	out = n.apply(nodeDef.received)
	assert.Len(t, only[catalogue.MessageConfirmed](out), 2)
}
