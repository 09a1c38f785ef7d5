// Package dataexchange is the contract suite of the data exchange: a
// messaging.Transport on one node and the delivery, by the same adapter, to
// the messaging.Inbox of the node it sends to. Every data-exchange adapter
// runs it from a _test.go file:
//
//	dataexchange.Run(t, dataexchange.Harness{New: ...})
//
// It checks that batches arrive intact at the right inbox with the right
// sender, also when sent twice or many at once; that blobs stream through
// intact without being held in memory; that a peer that is down gives a
// retryable error and is reached once it is back; and that a sender that is
// not who it claims to be, or that nobody knows, is refused and reported.
package dataexchange

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Node is one node of an Env.
type Node struct {
	DID protocol.NodeDID
	// Transport sends as this node.
	Transport messaging.Transport
	// Peer is how other nodes address this node (its node definition).
	Peer messaging.Peer
}

// Env is two nodes that know each other: A delivers to the Inbox a and B
// to b that Harness.New was given.
type Env struct {
	A, B Node
	// StopB takes B off the network, so that sending to it fails as a
	// peer that is down does; StartB brings it back at the same endpoint.
	// Both nil if the adapter cannot (the test is skipped).
	StopB, StartB func(t *testing.T)
	// Impostor returns a transport of the adapter that sends as claimed
	// but signs with a key of its own, which nobody registered.
	Impostor func(t *testing.T, claimed protocol.NodeDID) messaging.Transport
}

// Harness starts environments for the suite.
type Harness struct {
	// New starts nodes A and B delivering to a and b, and tells each inbox
	// the other's DID and transport key (Inbox.Know). It registers its own
	// cleanup (t.Cleanup).
	New func(t *testing.T, a, b *Inbox) Env
}

// Run runs the whole contract, one subtest per rule.
func Run(t *testing.T, h Harness) {
	require.NotNil(t, h.New, "Harness.New is required")
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Batch/DeliveredIntact", testBatchDelivered},
		{"Batch/BothWays", testBothWays},
		{"Batch/SentTwice", testBatchTwice},
		{"Batch/Concurrent", testConcurrentBatches},
		{"Batch/Cancelled", testCancelled},
		{"Blob/StreamedIntact", testBlobStreamed},
		{"Blob/Empty", testEmptyBlob},
		{"Blob/TamperedRefused", testTamperedBlob},
		{"Peer/DownThenUp", testPeerDownThenUp},
		{"Auth/ForgedSenderRefused", testForgedSender},
		{"Auth/UnknownSenderRefused", testUnknownSender},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
	}
}

type env struct {
	Env
	a, b *Inbox
}

func start(t *testing.T, h Harness) env {
	t.Helper()
	a, b := NewInbox(), NewInbox()
	e := h.New(t, a, b)
	require.False(t, e.A.DID.IsZero() || e.B.DID.IsZero(), "both nodes have DIDs")
	require.NotNil(t, e.A.Transport)
	require.NotNil(t, e.B.Transport)
	return env{Env: e, a: a, b: b}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// envelope returns a distinct broadcast (group == false) or private batch.
func envelope(i int, group bool) messaging.Envelope {
	env := messaging.Envelope{
		Namespace: "default",
		Manifest:  json.RawMessage(fmt.Sprintf(`{"version":1,"id":"batch-%d","namespace":"default"}`, i)),
		Messages: []json.RawMessage{
			json.RawMessage(fmt.Sprintf(`{"header":{"id":"m-%d","topics":["t<&>"]},"hash":"%s"}`, i, protocol.SHA256([]byte{byte(i)}))),
		},
		Data: []json.RawMessage{
			json.RawMessage(fmt.Sprintf(`{"id":"d-%d","value":{"n":%d,"text":"é\u2028"}}`, i, i)),
			json.RawMessage(`{"id":"d-blob","blob":{"hash":"` + protocol.SHA256(nil).String() + `","size":0}}`),
		},
	}
	if group {
		env.Group = json.RawMessage(`{"name":"g","members":[{"identity":"did:lm:org/a","node":"did:lm:node/a/n"}]}`)
	} else {
		env.PayloadRef = fmt.Sprintf("http://127.0.0.1:1/dx/v1/storage/%s", protocol.SHA256([]byte{byte(i), 1}))
	}
	return env
}

// assertSameEnvelope compares envelopes as JSON: a transport may re-space
// the raw members (hashes are over canonical forms) but not change them.
func assertSameEnvelope(t *testing.T, want, got messaging.Envelope) {
	t.Helper()
	assert.Equal(t, want.Namespace, got.Namespace)
	assert.Equal(t, want.PayloadRef, got.PayloadRef)
	assert.JSONEq(t, string(want.Manifest), string(got.Manifest))
	if len(want.Group) == 0 {
		assert.Empty(t, got.Group)
	} else {
		assert.JSONEq(t, string(want.Group), string(got.Group))
	}
	require.Len(t, got.Messages, len(want.Messages))
	for i := range want.Messages {
		assert.JSONEq(t, string(want.Messages[i]), string(got.Messages[i]))
	}
	require.Len(t, got.Data, len(want.Data))
	for i := range want.Data {
		assert.JSONEq(t, string(want.Data[i]), string(got.Data[i]))
	}
}

// assertRetryable checks err is a failure worth retrying, not a refusal.
func assertRetryable(t *testing.T, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	assert.False(t, errors.Is(err, messaging.ErrPeerRefused), "%s: %v is retryable, not a refusal", what, err)
}

// assertRefused checks err is the peer's refusal.
func assertRefused(t *testing.T, err error, what string) {
	t.Helper()
	require.Error(t, err, what)
	var pe *messaging.PeerError
	assert.True(t, errors.As(err, &pe), "%s: %v is a *messaging.PeerError", what, err)
	assert.ErrorIs(t, err, messaging.ErrPeerRefused, what)
}
