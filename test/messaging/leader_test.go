package messaging_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// instance is a second instance of the harness's member on the same store:
// it follows the log and takes sends; its pipeline runs only once lead is
// called, as when it is elected.
type instance struct {
	node   *messaging.Node
	pinner *pinner
	ctx    context.Context
	done   chan error
	// running counts the goroutines that report on done.
	running int
}

func follower(t *testing.T, h *harness) *instance {
	p := newPinner()
	svc, err := messaging.NewService(ns, h.cfg, h.self, messaging.Deps{Store: h.store, Catalogue: catalogue.Default(),
		Transport: h.tr, Storage: h.st, Blobs: blobs{}, Pinner: chain.NewPinner(p, h.store, catalogue.Default(), chain.PinnerOptions{})})
	require.NoError(t, err)
	node, err := messaging.NewNode(h.self, h.store, catalogue.Default(), nil, svc)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{node: node, pinner: p, ctx: ctx, done: make(chan error, 2), running: 1}
	go func() { in.done <- node.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		for range in.running {
			require.NoError(t, <-in.done)
		}
	})
	select {
	case <-node.Ready():
	case <-time.After(5 * time.Second):
		t.Fatal("the second instance is not ready")
	}
	return in
}

// lead makes the instance the namespace's leader.
func (in *instance) lead(t *testing.T) {
	in.running++
	go func() { in.done <- in.node.Lead(in.ctx, ns) }()
}

func (in *instance) broadcast(t *testing.T, value string) messaging.MessageView {
	t.Helper()
	mv, err := in.node.Broadcast(context.Background(), ns, messaging.SendRequest{
		Header: messaging.RequestHeader{Topics: []string{"orders"}},
		Data:   []messaging.DataInput{{Value: []byte(value)}}})
	require.NoError(t, err)
	return mv
}

// batchOf is the batch a message was sealed into, read from the store.
func batchOf(h *harness, id uuid.UUID) (uuid.UUID, int) {
	var batch uuid.UUID
	n := 0
	for _, b := range h.sealed() {
		for _, m := range b.Manifest.Messages() {
			if m.ID == id {
				batch = b.Manifest.ID()
				n++
			}
		}
	}
	return batch, n
}

// TestTheLeaderSealsWhatAFollowerRecords: a send taken by an instance that
// does not lead the namespace is sealed and pinned by the one that does.
func TestTheLeaderSealsWhatAFollowerRecords(t *testing.T) {
	h := started(t, messaging.Config{BatchMaxWait: time.Hour})
	f := follower(t, h)
	mv := f.broadcast(t, `{"via":"follower"}`)
	req := h.pinner.next(t)
	batch, n := batchOf(h, mv.Header.ID())
	assert.Equal(t, 1, n, "sealed once")
	assert.Equal(t, batch, req.BatchID, "by the leader")
	f.pinner.none(t, 50*time.Millisecond)
}

// TestANewLeaderResumesWhatTheLastLeftAndFollowersRecorded: the leader
// stops with a batch sealed and not pinned; meanwhile the follower records
// more sends. Once the follower leads, it pins the sealed batch (not
// sealing its messages again) and then seals what it recorded, once.
func TestANewLeaderResumesWhatTheLastLeftAndFollowersRecorded(t *testing.T) {
	h := started(t, messaging.Config{BatchMaxWait: time.Hour})
	gate := make(chan struct{})
	h.pinner.setGate(gate) // the leader's pin never completes
	first := h.broadcast("orders", `{"n":0}`)
	h.pinner.next(t)
	f := follower(t, h)
	h.stop()
	close(gate)
	second := f.broadcast(t, `{"n":1}`)
	third := f.broadcast(t, `{"n":2}`)
	f.pinner.none(t, 50*time.Millisecond) // a follower seals nothing

	f.lead(t)
	resumed := f.pinner.next(t)
	firstBatch, n := batchOf(h, first.Header.ID())
	require.Equal(t, 1, n)
	assert.Equal(t, firstBatch, resumed.BatchID, "the sealed batch is pinned first, as it was sealed")
	next := f.pinner.next(t)
	for _, id := range []uuid.UUID{second.Header.ID(), third.Header.ID()} {
		batch, n := batchOf(h, id)
		assert.Equal(t, 1, n, "message %s sealed once", id)
		assert.Equal(t, next.BatchID, batch)
	}
	err := f.node.Lead(context.Background(), ns)
	assert.ErrorIs(t, err, messaging.ErrInvalidConfig, "a process leads a namespace once")
}
