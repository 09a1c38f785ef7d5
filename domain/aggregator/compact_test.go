package aggregator_test

import (
	"fmt"
	"testing"

	"github.com/google/uuid"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// repinAfterCompaction rejects a batch (author not registered), registers the
// author, lets the chain move far past the reorg window (with enough inputs
// for maybeCompact to run), then pins the same batch again.
func repinAfterCompaction(t *testing.T, window uint64) []catalogue.Payload {
	n := newNet(t, aggregator.Config{ReorgWindow: window})
	o := newOrg(t, "org1", 1)
	b := n.broadcast(o, "orders")
	first := n.pin(b, o.key)
	rej := only[catalogue.MessageRejected](n.apply(b.received, first))
	require.Len(t, rej, 1)
	require.Equal(t, catalogue.RejectAuthorNotRegistered, rej[0].Reason)
	n.register(o)

	n.advance(10)
	// A rejected message does not hold its id: the same batch, pinned again
	// now that its author is registered, is confirmed.
	return n.apply(n.pin(b, o.key))
}

// release (compact.go) deletes a.batches[id] once the settled log that
// pinned it leaves the window. The batch was rejected for a fixable reason,
// and pinning it again is what doc.go expects; the new log finds no batch
// and parks waiting-batch forever. With ReorgWindow Unlimited (what the
// Runner uses after ErrReorgTooDeep) the same inputs confirm it, so a
// rebuild diverges from the recorded decisions.
func TestCompactionForgetsABatchThatIsPinnedAgain(t *testing.T) {
	unlimited := only[catalogue.MessageConfirmed](repinAfterCompaction(t, aggregator.Unlimited))
	require.Len(t, unlimited, 1, "without compaction the re-pinned batch is confirmed")
	windowed := repinAfterCompaction(t, 1)
	assert.Len(t, only[catalogue.MessageConfirmed](windowed), 1,
		"the decisions must not depend on the reorg window: %v", windowed)
}

// Compaction releases the content of settled batches (release deletes
// a.batches[id]) so memory stays bounded, but private batches are also
// indexed in a.byGroup, which nothing ever prunes: every private batch
// received stays in memory for good, messages and data included.
func TestCompactionReleasesPrivateBatches(t *testing.T) {
	n := newNet(t, aggregator.Config{ReorgWindow: 1})
	n.agg.UseContentSource(noContent{})
	a, b := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	n.register(a)
	n.register(b)
	g := n.group("g1", a, b)
	n.apply(catalogue.GroupKnown{Namespace: ns, Group: g})
	var last catalogue.PinObserved
	for range 3 {
		pb := n.private(a, g, "deal")
		last = n.pin(pb, a.key)
		require.Len(t, only[catalogue.MessageConfirmed](n.apply(pb.received, last)), 1)
	}
	n.advance(10)
	batches, byGroup := aggregator.Retained(n.agg)
	require.Zero(t, batches, "compaction released the settled batches")
	assert.Zero(t, byGroup, "but the private ones are still held through byGroup")
}

// noContent is a source that is never asked: nothing is pinned twice.
type noContent struct{}

func (noContent) ReceivedBatches(id uuid.UUID) ([]catalogue.BatchReceived, error) {
	return nil, fmt.Errorf("batch %s asked for", id)
}

// batchSource serves batches from memory, as the Runner does from the store.
type batchSource map[uuid.UUID][]catalogue.BatchReceived

func (s batchSource) ReceivedBatches(id uuid.UUID) ([]catalogue.BatchReceived, error) {
	return s[id], nil
}

func TestReleasedBatchIsReadBackWhenPinnedAgain(t *testing.T) {
	n := newNet(t, aggregator.Config{ReorgWindow: 1})
	src := batchSource{}
	n.agg.UseContentSource(src)
	o := newOrg(t, "org1", 1)
	b := n.broadcast(o, "orders")
	src[b.manifest.ID()] = []catalogue.BatchReceived{b.received}
	first := n.pin(b, o.key)
	require.Len(t, only[catalogue.MessageRejected](n.apply(b.received, first)), 1)
	n.register(o)
	n.advance(10)
	batches, _ := aggregator.Retained(n.agg)
	require.Zero(t, batches, "the settled batch was released")
	assert.Len(t, only[catalogue.MessageConfirmed](n.apply(n.pin(b, o.key))), 1)
}
