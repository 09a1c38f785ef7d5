package dataexchange

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func testBatchDelivered(t *testing.T, h Harness) {
	e := start(t, h)
	broadcast, private := envelope(1, false), envelope(2, true)
	require.NoError(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, broadcast))
	require.NoError(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, private))
	got := e.b.Batches()
	require.Len(t, got, 2, "SendBatch returns once the peer has recorded the batch")
	assert.Equal(t, e.A.DID, got[0].From)
	assert.Equal(t, e.A.DID, got[1].From)
	assertSameEnvelope(t, broadcast, got[0].Envelope)
	assertSameEnvelope(t, private, got[1].Envelope)
	assert.Empty(t, e.a.Batches(), "nothing reaches the sender's own inbox")
	assert.Empty(t, e.b.Refusals())
}

func testBothWays(t *testing.T, h Harness) {
	e := start(t, h)
	require.NoError(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, envelope(1, false)))
	require.NoError(t, e.B.Transport.SendBatch(ctx(t), e.A.Peer, envelope(2, true)))
	toB, toA := e.b.Batches(), e.a.Batches()
	require.Len(t, toB, 1)
	require.Len(t, toA, 1)
	assert.Equal(t, e.A.DID, toB[0].From)
	assert.Equal(t, e.B.DID, toA[0].From)
	assertSameEnvelope(t, envelope(2, true), toA[0].Envelope)
}

func testBatchTwice(t *testing.T, h Harness) {
	e := start(t, h)
	env := envelope(7, false)
	require.NoError(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, env))
	require.NoError(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, env), "sending again is harmless")
	for _, b := range e.b.Batches() {
		assertSameEnvelope(t, env, b.Envelope)
	}
}

func testConcurrentBatches(t *testing.T, h Harness) {
	e := start(t, h)
	const senders, each = 16, 8
	var wg sync.WaitGroup
	for s := range senders {
		wg.Go(func() {
			for i := range each {
				assert.NoError(t, e.A.Transport.SendBatch(ctx(t), e.B.Peer, envelope(s*each+i, i%2 == 0)))
			}
		})
	}
	wg.Wait()
	got := e.b.Batches()
	require.Len(t, got, senders*each)
	seen := map[string]bool{}
	for _, b := range got {
		assert.Equal(t, e.A.DID, b.From)
		seen[string(b.Envelope.Manifest)] = true
	}
	assert.Len(t, seen, senders*each, "every batch once")
}

func testCancelled(t *testing.T, h Harness) {
	e := start(t, h)
	c, cancel := context.WithCancel(context.Background())
	cancel()
	assertRetryable(t, e.A.Transport.SendBatch(c, e.B.Peer, envelope(1, false)), "a cancelled send")
}
