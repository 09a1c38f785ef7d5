package messaging_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func started(t *testing.T, cfg messaging.Config) *harness {
	h := newHarness(t, cfg)
	h.openStore()
	peer := selfOf(t, "org2", 2)
	h.register(h.self, peer)
	h.start()
	t.Cleanup(func() {
		if h.store != nil {
			h.close()
		}
	})
	return h
}

func TestAnIdleMessageIsSealedAtOnce(t *testing.T) {
	h := started(t, messaging.Config{BatchMaxWait: time.Hour})
	mv := h.broadcast("orders", `{"n":1}`)
	assert.Equal(t, messaging.StatePending, mv.State)
	req := h.pinner.next(t)
	assert.Len(t, req.Contexts, 1)
	assert.Equal(t, protocol.BroadcastContext(ns, "orders"), req.Contexts[0])
	assert.NotEmpty(t, req.PayloadRef, "a broadcast batch is uploaded before it is pinned")
}

func TestMessagesGatherWhileABatchIsInFlight(t *testing.T) {
	h := started(t, messaging.Config{BatchMaxWait: time.Hour})
	gate := make(chan struct{})
	h.pinner.setGate(gate)
	h.broadcast("orders", `{"n":0}`)
	first := h.pinner.next(t)
	for i := 1; i <= 10; i++ {
		h.broadcast("orders", `{"n":1}`)
	}
	h.pinner.none(t, 50*time.Millisecond)
	close(gate)
	second := h.pinner.next(t)
	assert.NotEqual(t, first.BatchID, second.BatchID)
	assert.Len(t, second.Contexts, 10, "the ten messages sent while the first batch was in flight go out together")
	sealed := h.sealed()
	require.Len(t, sealed, 2)
	assert.Len(t, sealed[1].Manifest.Messages(), 10)
}

func TestAFullBatchDoesNotWait(t *testing.T) {
	h := started(t, messaging.Config{BatchSize: 5, BatchMaxWait: time.Hour})
	gate := make(chan struct{})
	h.pinner.setGate(gate)
	h.broadcast("orders", `{"n":0}`)
	h.pinner.next(t)
	for i := 0; i < 12; i++ {
		h.broadcast("orders", `{"n":1}`)
	}
	require.Eventually(t, func() bool { return len(h.sealed()) == 3 }, 5*time.Second, 5*time.Millisecond,
		"two full batches are sealed while the first is in flight")
	h.pinner.none(t, 50*time.Millisecond)
	close(gate)
	require.Eventually(t, func() bool { return len(h.sealed()) == 4 }, 5*time.Second, 5*time.Millisecond)
	sizes := []int{}
	for _, b := range h.sealed() {
		sizes = append(sizes, len(b.Manifest.Messages()))
	}
	assert.Equal(t, []int{1, 5, 5, 2}, sizes)
}

func TestAWaitingMessageLeavesAfterTheMaximumWait(t *testing.T) {
	h := started(t, messaging.Config{BatchMaxWait: 80 * time.Millisecond})
	h.pinner.setGate(make(chan struct{})) // the first pin never completes
	h.broadcast("orders", `{"n":0}`)
	h.pinner.next(t)
	sent := time.Now()
	h.broadcast("orders", `{"n":1}`)
	require.Eventually(t, func() bool { return len(h.sealed()) == 2 }, 5*time.Second, 2*time.Millisecond)
	assert.GreaterOrEqual(t, time.Since(sent), 70*time.Millisecond)
}

func TestPrivateBatchesTakeSuccessiveNonces(t *testing.T) {
	h := started(t, messaging.Config{BatchMaxWait: time.Hour})
	group := &messaging.GroupInput{Members: []messaging.MemberInput{{Identity: "did:lm:org/org2"}}}
	var gh protocol.Hash
	for i := 0; i < 2; i++ {
		mv, err := h.node.Private(context.Background(), ns, messaging.SendRequest{
			Header: messaging.RequestHeader{Topics: []string{"deals"}}, Data: []messaging.DataInput{{Value: []byte(`1`)}}, Group: group})
		require.NoError(t, err)
		g, ok := mv.Header.Group()
		require.True(t, ok)
		gh = g
		req := h.pinner.next(t)
		require.Len(t, req.Contexts, 1)
		assert.Equal(t, protocol.NoncePin(ns, "deals", gh, h.self.Org, uint64(i)), req.Contexts[0], "nonce %d", i)
		assert.Empty(t, req.PayloadRef)
	}
	require.Eventually(t, func() bool {
		h.tr.mu.Lock()
		defer h.tr.mu.Unlock()
		return len(h.tr.sent["did:lm:node/org2/node1"]) == 2
	}, 5*time.Second, 5*time.Millisecond, "both private batches are delivered to the other member")
	h.tr.mu.Lock()
	env := h.tr.sent["did:lm:node/org2/node1"][0]
	h.tr.mu.Unlock()
	assert.NotEmpty(t, env.Group, "a private envelope carries its group")

	// After a restart the next nonce follows on (once both pins are
	// recorded: a restart would pin an unrecorded one again, with its nonce).
	require.Eventually(t, func() bool {
		ops, err := h.node.Operations(context.Background(), ns, 0, 100)
		require.NoError(t, err)
		n := 0
		for _, op := range ops {
			if op.Type == messaging.OpPinBatch && op.Status == messaging.OpSucceeded {
				n++
			}
		}
		return n == 2
	}, 5*time.Second, time.Millisecond)
	h.stop()
	h.start()
	_, err := h.node.Private(context.Background(), ns, messaging.SendRequest{
		Header: messaging.RequestHeader{Topics: []string{"deals"}}, Data: []messaging.DataInput{{Value: []byte(`1`)}}, Group: group})
	require.NoError(t, err)
	req := h.pinner.next(t)
	assert.Equal(t, protocol.NoncePin(ns, "deals", gh, h.self.Org, 2), req.Contexts[0])
}

func TestARestartResumesWhatWasNotPinned(t *testing.T) {
	h := started(t, messaging.Config{BatchMaxWait: time.Hour, RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond})
	h.pinner.setFail(errors.Join(chain.ErrUnavailable, errors.New("node down")))
	mv := h.broadcast("orders", `{"n":0}`)
	require.Eventually(t, func() bool { return len(h.sealed()) == 1 }, 5*time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool {
		ops, err := h.node.Operations(context.Background(), ns, 0, 100)
		require.NoError(t, err)
		for _, op := range ops {
			if op.Type == messaging.OpPinBatch && op.Status == messaging.OpRetrying {
				return true
			}
		}
		return false
	}, 5*time.Second, 5*time.Millisecond, "the failing pin is visible as a retrying operation")
	h.close()

	h.pinner.setFail(nil)
	h.openStore()
	h.start()
	req := h.pinner.next(t)
	sealed := h.sealed()
	require.Len(t, sealed, 1, "the restart pins the batch it had sealed, it does not seal again")
	assert.Equal(t, sealed[0].Manifest.ID(), req.BatchID)
	got, err := h.node.Message(context.Background(), ns, mv.Header.ID())
	require.NoError(t, err)
	require.NotNil(t, got.Batch)
	assert.Equal(t, req.BatchID, *got.Batch)
}

func TestSendingBeforeRegistrationIsRefused(t *testing.T) {
	h := newHarness(t, messaging.Config{})
	h.openStore()
	svc, err := messaging.NewService(ns, h.cfg, h.self, messaging.Deps{Store: h.store, Catalogue: nil})
	assert.ErrorIs(t, err, messaging.ErrInvalidConfig)
	assert.Nil(t, svc)
	require.NoError(t, h.store.Close())
}
