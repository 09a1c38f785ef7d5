package aggregator_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

func confirmedIDs(t *testing.T, inputs []catalogue.Payload) map[string]bool {
	t.Helper()
	a, err := aggregator.New(aggregator.Config{Namespace: ns})
	require.NoError(t, err)
	got := map[string]bool{}
	for _, in := range inputs {
		out, err := a.Apply(in)
		require.NoError(t, err)
		for _, c := range only[catalogue.MessageConfirmed](out) {
			got[c.MessageID.String()] = true
		}
	}
	return got
}

// Pins: org2 registered (block 1), org1's registration (block 2), a
// definition signed by org2's key
// whose batch never arrives (block 3), org1's broadcast u (block 4).
//
// If org1's registration batch is here before u is looked at, org1 is
// registered before the first pending definition, which org1's key did not
// sign, so u does not wait for it and is confirmed.
//
// If u is looked at first, org1 is not registered yet, barrier returns the
// first pending definition (the registration) and u becomes a waiter. When
// the registration is decided, releaseWaiters keeps u because the next
// pending definition (org2's, block 3) is still before it, although
// barrier(u) would now be nil: u is never looked at again. The decisions
// depend on arrival order, and one missing definition batch halts u.
func TestWaiterIsReleasedWhenItsBarrierGoes(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o1, o2 := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	regO2, reg1 := n.registration(o2), n.registration(o1)
	missing := n.registration(o2) // org2 again: its batch never arrives
	u := n.broadcast(o1, "orders")
	uID := u.messages[0].ID().String()
	pRegO2 := n.pin(regO2, o2.key)     // block 1
	pReg1 := n.pin(reg1, o1.key)       // block 2
	pMissing := n.pin(missing, o2.key) // block 3
	pu := n.pin(u, o1.key)             // block 4
	head := []catalogue.Payload{regO2.received, pRegO2}

	early := append(append([]catalogue.Payload{}, head...), reg1.received, u.received, pReg1, pMissing, pu)
	late := append(append([]catalogue.Payload{}, head...), u.received, pReg1, pMissing, pu, reg1.received)

	require.True(t, confirmedIDs(t, early)[uID], "registration batch first: u is confirmed")
	assert.True(t, confirmedIDs(t, late)[uID],
		"same pins and content, registration batch last: u must be confirmed as well")
}
