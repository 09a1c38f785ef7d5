package aggregator_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// A log waiting for a data item registers in dataWaiter once (await keeps
// l.missing). A DataReceived with the item's id but another hash wakes the
// log and deletes the waiter list; the log is still missing the same item,
// so await does not register again, and the right copy arriving later wakes
// nobody: the message stays parked forever. With the copies in the other
// order (or without the bad one) it is confirmed.
func TestWrongDataCopyFirstStallsTheLogForever(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	n.register(o)
	m, d := n.message(o, protocol.MessageTypeBroadcast, nil, `{"n":1}`, "orders")
	b := n.batch([]protocol.Message{m}, []protocol.Data{d})
	b.received.Data = nil // the data item travels apart

	bad, err := protocol.NewData(protocol.DataFields{ID: d.ID(), Value: json.RawMessage(`{"n":2}`)})
	require.NoError(t, err)
	rawBad, err := json.Marshal(bad)
	require.NoError(t, err)
	rawGood, err := json.Marshal(d)
	require.NoError(t, err)

	out := n.apply(b.received, n.pin(b, o.key))
	require.Empty(t, only[catalogue.MessageConfirmed](out))
	parked := only[catalogue.PinParked](out)
	require.NotEmpty(t, parked)
	assert.Equal(t, catalogue.ParkWaitingData, parked[len(parked)-1].Reason)

	n.apply(catalogue.DataReceived{Namespace: ns, Data: rawBad})
	out = n.apply(catalogue.DataReceived{Namespace: ns, Data: rawGood})
	assert.Len(t, only[catalogue.MessageConfirmed](out), 1,
		"the right copy of the data arrived: the message must be decided; parked: %v", n.agg.Parked(true))
}

// doc.go: "checked in this order, the first failure wins": a batch that does
// not verify against the pinned hash is rejected with the VerifyBatch
// reason before the log's kind is compared with the batch's. complete()
// compares the kind first, so a broadcast batch pinned by a private log with
// another batch hash is rejected manifest-mismatch, not batch-hash-mismatch.
func TestBatchHashCheckedBeforeLogKind(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	n.register(o)
	b := n.broadcast(o, "orders")
	p := n.pin(b, o.key)
	p.PayloadRef = ""              // a private log...
	p.BatchHash = protocol.Hash{1} // ...that pinned another hash
	out := n.apply(b.received, p)
	rej := only[catalogue.MessageRejected](out)
	require.Len(t, rej, 1, "%v", out)
	assert.Equal(t, catalogue.RejectBatchHashMismatch, rej[0].Reason, "detail: %s", rej[0].Detail)
}

// A batch with a tampered data item is rejected message by message, each
// when its own pins come up: a message whose context is free is rejected at
// once even though another message of the batch waits on a blocked context.
func TestTamperedBatchIsRejectedMessageByMessage(t *testing.T) {
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	n.register(o)
	blocker := n.broadcast(o, "b")
	m1, d1 := n.message(o, protocol.MessageTypeBroadcast, nil, `{"n":1}`, "a")
	m2, d2 := n.message(o, protocol.MessageTypeBroadcast, nil, `{"n":2}`, "b")
	bad := n.batch([]protocol.Message{m1, m2}, []protocol.Data{d1, d2})
	bad.received.Data[0] = json.RawMessage(strings.Replace(string(bad.received.Data[0]), `"n":1`, `"n":9`, 1))
	out := n.apply(n.pin(blocker, o.key), bad.received, n.pin(bad, o.key))
	rej := only[catalogue.MessageRejected](out)
	require.Len(t, rej, 1, "%v", out)
	assert.Equal(t, m1.ID(), rej[0].MessageID)
	assert.Equal(t, catalogue.RejectDataHashMismatch, rej[0].Reason)
	out = n.apply(blocker.received)
	require.Len(t, only[catalogue.MessageConfirmed](out), 1)
	rej = only[catalogue.MessageRejected](out)
	require.Len(t, rej, 1)
	assert.Equal(t, m2.ID(), rej[0].MessageID)
}
