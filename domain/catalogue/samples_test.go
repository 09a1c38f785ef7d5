package catalogue_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// samples returns one valid, fully populated payload per event type, built
// through the protocol constructors as real code would build them.
func samples(t testing.TB) map[string]catalogue.Payload {
	t.Helper()
	org, err := protocol.NewOrgDID("org1")
	require.NoError(t, err)
	node, err := protocol.NewNodeDID(org, "node1")
	require.NoError(t, err)
	key, err := protocol.ParseSigningKey("0x00112233445566778899aabbccddeeff00112233")
	require.NoError(t, err)
	id := func(n byte) uuid.UUID { return uuid.UUID{n, 1, 2, 3, 4, 5, 0x46, 7, 0x88, 9, 10, 11, 12, 13, 14, 15} }

	data, err := protocol.NewData(protocol.DataFields{ID: id(1), Value: json.RawMessage(`{"invoice":42}`)})
	require.NoError(t, err)
	msg, err := protocol.BuildMessage(protocol.MessageHeaderFields{
		ID: id(2), Type: protocol.MessageTypeBroadcast, TxType: protocol.TxTypeBatchPin, Author: org, Key: key,
		Created: time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC), Namespace: "default", Topics: []string{"orders"},
	}, []protocol.DataRef{data.Ref()})
	require.NoError(t, err)
	manifest, err := protocol.BuildManifest(id(3), id(4), []protocol.Message{msg}, []protocol.Data{data})
	require.NoError(t, err)
	rawManifest, err := json.Marshal(manifest)
	require.NoError(t, err)
	rawMsg, err := json.Marshal(msg)
	require.NoError(t, err)
	rawData, err := json.Marshal(data)
	require.NoError(t, err)

	ctx := protocol.BroadcastContext("default", "orders")
	loc := catalogue.ChainLocation{Chain: "ethereum:1337", Contract: "0x5fbdb2315678afecb367f032d93f642f64180aa3",
		BlockNumber: 7, BlockHash: "0x" + ctx.String(), TxHash: "0x" + manifest.Hash().String(), TxIndex: 1, LogIndex: 2}
	var digest protocol.ContextDigest
	digest.Add(msg.Hash())

	group, err := protocol.NewGroup("default", "g1", []protocol.Member{{Identity: org, Node: node}})
	require.NoError(t, err)
	pin := catalogue.PinRef{Location: loc, Index: 1, Value: ctx}
	subscriptionFilter := catalogue.SubscriptionFilter{Events: []string{"message_confirmed"}, Topics: "^orders$",
		Tag: "invoice", Author: "org1", Group: "^[0-9a-f]+$", Type: "private"}
	subscriptionOptions := catalogue.SubscriptionOptions{URL: "http://127.0.0.1:9000/hook", Secret: "s3cret",
		FirstEvent: "oldest", ReadAhead: 10, WithData: true,
		Retry: &catalogue.SubscriptionRetry{Initial: "1s", Max: "1m", Attempts: 5}, OnDeadLetter: "pause",
		Subject: "ledgermirror.{namespace}.{type}", Exchange: "ledgermirror"}

	return map[string]catalogue.Payload{
		"IdentityRegistered": catalogue.IdentityRegistered{Namespace: "default", Kind: catalogue.IdentityNode, Org: org,
			Node: &node, Endpoint: "http://127.0.0.1:5100", TransportKey: "-----BEGIN PUBLIC KEY-----", MessageID: id(5)},
		"DatatypeDefined": catalogue.DatatypeDefined{Namespace: "default", Name: "invoice", Version: "1.0",
			Schema: json.RawMessage(`{"type":"object"}`), MessageID: id(6)},
		"DataStored":       catalogue.DataStored{Namespace: "default", Data: data},
		"MessageSubmitted": catalogue.MessageSubmitted{Message: msg, Data: []protocol.Data{data}},
		"BatchSealed":      catalogue.BatchSealed{Manifest: manifest, Contexts: []protocol.Hash{ctx}, Pins: []protocol.Hash{ctx}},
		"BatchDispatched": catalogue.BatchDispatched{Namespace: "default", BatchID: id(3), BatchHash: manifest.Hash(),
			Recipients: []protocol.NodeDID{node}},
		"BatchReceived": catalogue.BatchReceived{Namespace: "default", BatchID: id(3), From: &node,
			Manifest: rawManifest, Messages: []json.RawMessage{rawMsg}, Data: []json.RawMessage{rawData}},
		"PinSubmitted": catalogue.PinSubmitted{Namespace: "default", BatchID: id(3), TxID: id(4), BatchHash: manifest.Hash(),
			Contexts: []protocol.Hash{ctx}, PayloadRef: "local:abc", Signer: key, Chain: "ethereum:1337",
			TxHash: loc.TxHash, Nonce: 3, RawTx: "02f86c820539038459682f00"},
		"PinObserved": catalogue.PinObserved{Namespace: "default", Location: loc, Signer: key, TxID: id(4), BatchID: id(3),
			BatchHash: manifest.Hash(), PayloadRef: "local:abc", Contexts: []protocol.Hash{ctx}, Timestamp: 1767323045},
		"PinRemoved": catalogue.PinRemoved{Namespace: "default", Location: loc, Reason: "reorg"},
		"ChainCheckpoint": catalogue.ChainCheckpoint{Chain: "ethereum:1337", Contract: loc.Contract, BlockNumber: 7,
			BlockHash: loc.BlockHash},
		"MessageConfirmed": catalogue.MessageConfirmed{Namespace: "default", MessageID: id(2), BatchID: id(3),
			MessageHash: msg.Hash(), Location: loc, Contexts: []catalogue.ConfirmedContext{
				{Context: ctx, Pin: ctx, Count: digest.Count(), Digest: digest.Digest()}}},
		"MessageRejected": catalogue.MessageRejected{Namespace: "default", MessageID: id(2), BatchID: id(3),
			Reason: catalogue.RejectWrongSigner, Detail: "signer is not org1's key", Location: loc, Pins: []protocol.Hash{ctx}},
		"GroupKnown": catalogue.GroupKnown{Namespace: "default", Group: group},
		"PinFailed": catalogue.PinFailed{Namespace: "default", BatchID: id(3), TxID: id(4), Chain: "ethereum:1337",
			Reason: "execution reverted: paused"},
		"DataReceived": catalogue.DataReceived{Namespace: "default", From: &node, Data: rawData},
		"BlobReceived": catalogue.BlobReceived{Namespace: "default", Hash: data.Hash(), Size: 1024},
		"PinParked": catalogue.PinParked{Namespace: "default", Pin: pin, Reason: catalogue.ParkBlockedBy,
			BlockedBy: &catalogue.PinRef{Location: loc, Index: 0, Value: ctx}, Detail: "previous pin on the context"},
		"PinUnparked": catalogue.PinUnparked{Namespace: "default", Pin: pin, Resolution: catalogue.PinConfirmed},
		"OperationRecorded": catalogue.OperationRecorded{Namespace: "default", ID: id(7), Type: "blockchain_pin_batch",
			BatchID: id(3), Target: "ethereum:1337", Status: "succeeded", Attempts: 2, Error: "connection refused",
			Output: loc.TxHash, Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Updated: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC)},
		"PeerRefused": catalogue.PeerRefused{Claimed: node.String(), Remote: "127.0.0.1:40000", Reason: "bad signature"},
		"SubscriptionCreated": catalogue.SubscriptionCreated{Namespace: "default", ID: id(8), Name: "orders",
			Transport: "websocket", Filter: subscriptionFilter, Options: subscriptionOptions, Start: 42},
		"SubscriptionUpdated": catalogue.SubscriptionUpdated{Namespace: "default", ID: id(8), Name: "orders",
			Transport: "webhook", Filter: subscriptionFilter, Options: subscriptionOptions},
		"SubscriptionDeleted":         catalogue.SubscriptionDeleted{Namespace: "default", ID: id(8), Name: "orders"},
		"SubscriptionOffsetCommitted": catalogue.SubscriptionOffsetCommitted{Namespace: "default", ID: id(8), Name: "orders", Offset: 99},
		"SubscriptionDeadLettered": catalogue.SubscriptionDeadLettered{Namespace: "default", ID: id(8), Name: "orders",
			Sequence: 77, EventID: id(9), Kind: "message_confirmed", Attempts: 5, Error: "503 Service Unavailable", Paused: true},
		"SubscriptionRedriven": catalogue.SubscriptionRedriven{Namespace: "default", ID: id(8), Name: "orders", Sequence: 77, EventID: id(9)},
		"SubscriptionResumed":  catalogue.SubscriptionResumed{Namespace: "default", ID: id(8), Name: "orders"},
		"DecisionRevoked": catalogue.DecisionRevoked{Namespace: "default", MessageID: id(2), BatchID: id(3),
			Decision: catalogue.DecisionConfirmed, Location: loc, Reason: "reorg"},
	}
}
