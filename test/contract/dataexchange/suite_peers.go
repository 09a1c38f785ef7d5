package dataexchange

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func testPeerDownThenUp(t *testing.T, h Harness) {
	e := start(t, h)
	if e.StopB == nil || e.StartB == nil {
		t.Skip("the adapter cannot take a node down")
	}
	require.NoError(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, envelope(1, false)), "a kept-alive connection exists")
	e.StopB(t)
	assertRetryable(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, envelope(2, false)), "a batch to a peer that is down")
	open, _, hash := generated(t, 5, 1<<16)
	assertRetryable(t, e.A.Transport.SendBlob(ctx(t), e.B.Peer, "default", hash, 1<<16, open), "a blob to a peer that is down")

	e.StartB(t)
	require.NoError(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, envelope(2, false)), "the retry succeeds")
	require.NoError(t, e.A.Transport.SendBlob(ctx(t), e.B.Peer, "default", hash, 1<<16, open))
	got := e.b.Batches()
	require.Len(t, got, 2)
	assertSameEnvelope(t, envelope(2, false), got[1].Envelope)
	assert.Len(t, e.b.Blobs(), 1)
}

func testForgedSender(t *testing.T, h Harness) {
	e := start(t, h)
	forger := e.Impostor(t, e.A.DID)
	assertRefused(t, forger.SendBatch(ctx(t), e.B.Peer, envelope(1, false)), "a batch signed with the wrong key")
	open, _, hash := generated(t, 6, 1<<16)
	assertRefused(t, forger.SendBlob(ctx(t), e.B.Peer, "default", hash, 1<<16, open), "a blob signed with the wrong key")
	assert.Empty(t, e.b.Batches())
	assert.Empty(t, e.b.Blobs())
	refusals := e.b.Refusals()
	require.Len(t, refusals, 2, "each refusal is reported")
	for _, r := range refusals {
		assert.Equal(t, e.A.DID.String(), r.Claimed)
		assert.NotEmpty(t, r.Reason)
		assert.NotEmpty(t, r.Remote)
	}

	// The real A is still welcome.
	require.NoError(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, envelope(2, false)))
	assert.Len(t, e.b.Batches(), 1)
}

func testUnknownSender(t *testing.T, h Harness) {
	e := start(t, h)
	stranger, err := protocol.ParseNodeDID("did:lm:node/stranger/node1")
	require.NoError(t, err)
	assertRefused(t, e.Impostor(t, stranger).SendBatch(ctx(t), e.B.Peer, envelope(1, false)), "a batch from an unknown node")
	assert.Empty(t, e.b.Batches())
	refusals := e.b.Refusals()
	require.Len(t, refusals, 1)
	assert.Equal(t, stranger.String(), refusals[0].Claimed)
}
