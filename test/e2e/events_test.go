//go:build integration

package e2e_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// readEvents reads a member's whole event store, in position order.
func readEvents(t *testing.T, store event.Store) []event.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []event.Event
	var after event.Position
	for {
		page, err := store.ReadAll(ctx, after, 1000)
		require.NoError(t, err, "reading the event store")
		if len(page) == 0 {
			return out
		}
		out = append(out, page...)
		after = page[len(page)-1].Position
	}
}

// decodeEvents decodes events of the given types with the default
// catalogue (every event must decode: a stored event a node cannot read
// back is a bug).
func decodeEvents(t *testing.T, evs []event.Event, types ...string) []catalogue.Payload {
	t.Helper()
	cat := catalogue.Default()
	var out []catalogue.Payload
	for _, ev := range evs {
		p, err := cat.Decode(ev)
		require.NoError(t, err, "decoding event %d (%s)", ev.Position, ev.Type)
		for _, typ := range types {
			if ev.Type == typ {
				out = append(out, p)
			}
		}
	}
	return out
}

// confirmation is one message confirmed on one context, as its
// MessageConfirmed event records it.
type confirmation struct {
	message uuid.UUID
	hash    protocol.Hash
	count   uint64
	digest  protocol.Hash
	at      catalogue.ChainLocation
}

// decisions are what a member's event store says it decided.
type decisions struct {
	// byContext lists the confirmations of each context in the order the
	// member recorded them.
	byContext map[protocol.Hash][]confirmation
	confirmed map[uuid.UUID]bool
	rejected  map[uuid.UUID]string
	revoked   int
}

// readDecisions reads a member's MessageConfirmed, MessageRejected and
// DecisionRevoked events.
func readDecisions(t *testing.T, store event.Store) decisions {
	t.Helper()
	d := decisions{byContext: map[protocol.Hash][]confirmation{}, confirmed: map[uuid.UUID]bool{},
		rejected: map[uuid.UUID]string{}}
	for _, p := range decodeEvents(t, readEvents(t, store), "MessageConfirmed", "MessageRejected", "DecisionRevoked") {
		switch e := p.(type) {
		case catalogue.MessageConfirmed:
			d.confirmed[e.MessageID] = true
			for _, c := range e.Contexts {
				d.byContext[c.Context] = append(d.byContext[c.Context],
					confirmation{message: e.MessageID, hash: e.MessageHash, count: c.Count, digest: c.Digest, at: e.Location})
			}
		case catalogue.MessageRejected:
			d.rejected[e.MessageID] = fmt.Sprintf("%s %s", e.Reason, e.Detail)
		case catalogue.DecisionRevoked:
			d.revoked++
		}
	}
	return d
}

// order is the message ids confirmed on a context, in order.
func (d decisions) order(ctx protocol.Hash) []uuid.UUID {
	var out []uuid.UUID
	for _, c := range d.byContext[ctx] {
		out = append(out, c.message)
	}
	return out
}

// checkRunningDigests recomputes each context's running digest from the
// confirmed message hashes (PROTOCOL.md, Digests) and compares it with the
// count and digest every MessageConfirmed recorded.
func (d decisions) checkRunningDigests() error {
	for ctx, cs := range d.byContext {
		var running [32]byte
		for i, c := range cs {
			running = sha256.Sum256(append(running[:], c.hash[:]...))
			if c.count != uint64(i+1) || c.digest != running {
				return fmt.Errorf("context %s, confirmation %d (message %s): recorded count %d digest %s, recomputed %d %x",
					ctx, i, c.message, c.count, c.digest, i+1, running)
			}
		}
	}
	return nil
}

// checkPinOrder checks that on every context the messages were confirmed
// in chain order: a message is never confirmed before one pinned earlier on
// the same context (messages of one batch share a location).
func (d decisions) checkPinOrder() error {
	for ctx, cs := range d.byContext {
		for i := 1; i < len(cs); i++ {
			if cs[i].at.Less(cs[i-1].at) {
				return fmt.Errorf("context %s: message %s (block %d tx %d log %d) confirmed after message %s (block %d tx %d log %d)",
					ctx, cs[i].message, cs[i].at.BlockNumber, cs[i].at.TxIndex, cs[i].at.LogIndex,
					cs[i-1].message, cs[i-1].at.BlockNumber, cs[i-1].at.TxIndex, cs[i-1].at.LogIndex)
			}
		}
	}
	return nil
}

// namespaceDigest recomputes a namespace digest (PROTOCOL.md, Digests) over
// the contexts keep accepts: sha256 of the canonical JSON list of
// {context, count, digest}, sorted by context. Written out by hand, so it
// checks the node's implementation rather than reusing it.
func (d decisions) namespaceDigest(keep func(protocol.Hash) bool) digest {
	var ctxs []string
	var total uint64
	entries := map[string]string{}
	for ctx, cs := range d.byContext {
		if !keep(ctx) || len(cs) == 0 {
			continue
		}
		last := cs[len(cs)-1]
		h := hex.EncodeToString(ctx[:])
		ctxs = append(ctxs, h)
		entries[h] = fmt.Sprintf(`{"context":"%s","count":%d,"digest":"%s"}`, h, last.count, hex.EncodeToString(last.digest[:]))
		total += last.count
	}
	sort.Strings(ctxs)
	parts := make([]string, len(ctxs))
	for i, h := range ctxs {
		parts[i] = entries[h]
	}
	sum := sha256.Sum256([]byte("[" + strings.Join(parts, ",") + "]"))
	return digest{Digest: hex.EncodeToString(sum[:]), Count: total}
}
