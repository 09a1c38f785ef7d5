//go:build integration

package e2e_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/broker/brokertest"
	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// TestDeliveryAcrossKill delivers the message_confirmed events of 10,000
// broadcasts to three subscriptions at once — a webhook (an HTTP server
// here checking each signature), a WebSocket client acknowledging each
// event as it records it, and NATS JetStream (read back with an ordered
// consumer) — kills the node with SIGKILL while all three are under way,
// starts it again on the same data directory, sends what the kill cut
// short, and checks each subscription's deliveries (checkDelivered):
//
//   - every event of the subscription arrived, and nothing else;
//   - in sequence order: each delivery is the next event, except for one
//     rewind, the restart's redelivery;
//   - that redelivery starts right after the offset the subscription had
//     committed durably at the kill (read from the killed node's event
//     store), never one at or below it;
//   - acks are recorded as they come, so the repeats are only events in
//     flight and not acknowledged at the kill: at most the WebSocket
//     client's read-ahead, at most one for an outbound router.
//
// JetStream drops a republished message itself (its Nats-Msg-Id is the
// same), so the NATS consumer sees no repeat at all.
func TestDeliveryAcrossKill(t *testing.T) {
	const (
		messages = 10_000
		killAt   = messages / 10
		workers  = 24
		secret   = "e2e-kill-webhook-secret"
	)
	natsURL := brokertest.NATS(t)
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	prefix := "e2ekill" + hex.EncodeToString(suffix)
	natsGot := consumeNATS(t, natsURL, "ledgermirror."+prefix)
	hook := newHookReceiver(t, secret, namespace+"/kill-hook", nil)

	member := newServedMember(t)
	node, client := member.start(t, "ledgermirror serve")
	filter := map[string]any{"events": []string{"message_confirmed"}, "topics": "^" + prefix + "-"}
	createSubscription(t, client, map[string]any{"name": "kill-hook", "transport": "webhook", "filter": filter,
		"options": map[string]any{"firstEvent": "oldest", "url": hook.srv.URL, "secret": secret}})
	createSubscription(t, client, map[string]any{"name": "kill-nats", "transport": "nats", "filter": filter,
		"options": map[string]any{"firstEvent": "oldest", "url": natsURL, "subject": "ledgermirror." + prefix + ".{type}"}})
	createSubscription(t, client, map[string]any{"name": "kill-ws", "transport": "websocket", "filter": filter,
		"options": map[string]any{"firstEvent": "oldest", "readAhead": 100}})
	ws := newWSConsumer(member.apiURL, "kill-ws")
	wsCtx, stopWS := context.WithCancel(context.Background())
	wsDone := make(chan struct{})
	go func() { defer close(wsDone); ws.run(wsCtx) }()
	t.Cleanup(func() { stopWS(); <-wsDone })
	subs := map[string]*received{"kill-hook": hook.got, "kill-nats": natsGot, "kill-ws": ws.got}

	started := time.Now()
	sendCtx, cancelSend := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancelSend()
	b := &broadcaster{client: client, prefix: prefix, workers: workers}
	todo := make([]int, messages)
	for i := range todo {
		todo[i] = i
	}
	sent := make(chan struct{})
	go func() { defer close(sent); b.send(sendCtx, todo) }()

	// The kill comes once every subscription has delivered killAt events,
	// or (should one transport be much slower than the others) once most
	// broadcasts are accepted, so that none can have delivered them all.
	atKill := map[string]int{}
	eventually(t, 2*time.Minute, fmt.Sprintf("each subscription delivered %d events", killAt), func() error {
		least := messages
		for name, got := range subs {
			atKill[name] = got.distinct()
			least = min(least, atKill[name])
		}
		if least == 0 || (least < killAt && b.acceptedCount() < messages*8/10) {
			return fmt.Errorf("delivered %v", atKill)
		}
		return nil
	})
	b.stopped.Store(true)
	node.kill(t)
	<-sent
	t.Logf("SIGKILL after %s: distinct events delivered %v; %d broadcasts accepted, %d left to send",
		time.Since(started).Round(time.Millisecond), atKill, len(b.accepted), len(b.unsent))
	require.Empty(t, b.errs, "broadcasts refused before the kill")
	for name, n := range atKill {
		assert.Less(t, n, messages, "%s was still delivering when the node was killed", name)
	}
	committed := committedOffsets(t, filepath.Join(member.dataDir, "events.db"), "kill-hook", "kill-nats", "kill-ws")
	t.Logf("offsets committed at the kill: %v", committed)

	node, client = member.start(t, "ledgermirror serve (restarted)")
	b.client = client
	b.stopped.Store(false)
	b.send(sendCtx, b.takeUnsent())
	require.Empty(t, b.errs, "broadcasts refused after the restart")
	require.Len(t, b.accepted, messages, "every broadcast accepted")

	// The expected events: every message_confirmed of the test's topics,
	// once every message the node stored is decided.
	var want []uint64
	eventually(t, 2*time.Minute, "every accepted broadcast confirmed", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var pending struct {
			Total int `json:"total"`
		}
		if err := client.do(ctx, http.MethodGet, "/namespaces/"+namespace+"/messages?state=pending&count=true&limit=1", nil,
			&pending, http.StatusOK); err != nil {
			return err
		}
		if pending.Total > 0 {
			return fmt.Errorf("%d messages pending", pending.Total)
		}
		evs, err := listEvents(ctx, client, url.Values{"type": {"message_confirmed"}, "topics": {"^" + prefix + "-"}})
		if err != nil {
			return err
		}
		refs := map[string]bool{}
		want = want[:0]
		for _, ev := range evs {
			refs[ev.Reference] = true
			want = append(want, ev.Sequence)
		}
		for _, id := range b.accepted {
			if !refs[id] {
				return fmt.Errorf("message %s accepted but has no message_confirmed event", id)
			}
		}
		return nil
	})
	require.GreaterOrEqual(t, len(want), messages)
	for name, got := range subs {
		eventually(t, 2*time.Minute, name+" delivered every event", func() error {
			if n, first := got.missing(want); n > 0 {
				return fmt.Errorf("%d of %d events missing, the first %d", n, len(want), first)
			}
			return nil
		})
	}
	t.Logf("%d events delivered to each subscription %s after the start", len(want), time.Since(started).Round(time.Millisecond))

	for name, got := range subs {
		seqs, problems := got.snapshot()
		assert.Empty(t, problems, "%s: what its consumer saw wrong", name)
		repeats, err := checkDelivered(want, seqs, committed[name], 1)
		assert.NoError(t, err, "%s: every event once, in order, repeats only after the committed offset %d", name, committed[name])
		t.Logf("%s: %d deliveries, %d repeated", name, len(seqs), repeats)
		// Acks are recorded as they come: what comes again is only what
		// was in flight and not acknowledged, at most the read-ahead (100
		// for the WebSocket client, one event for an outbound router).
		inFlight := 1
		if name == "kill-ws" {
			inFlight = 100
		}
		assert.LessOrEqual(t, repeats, inFlight, "%s: only events in flight and unacknowledged come again", name)
	}
	assert.GreaterOrEqual(t, ws.sessions.Load(), int32(2), "the WebSocket client started the subscription again after the restart")
	assert.Equal(t, 0, node.interrupt(t, 30*time.Second), "serve exits 0 on SIGINT")
}

// committedOffsets reads, from the event store of a stopped node, the last
// offset committed for each named subscription.
func committedOffsets(t *testing.T, path string, names ...string) map[string]uint64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	store, err := sqlite.Open(ctx, sqlite.Config{Path: path}, zerolog.Nop())
	require.NoError(t, err, "opening the killed node's event store")
	defer func() { require.NoError(t, store.Close()) }()
	out := map[string]uint64{}
	committed := catalogue.SubscriptionOffsetCommitted{}.EventType()
	for _, name := range names {
		evs, err := store.ReadStream(ctx, catalogue.SubscriptionStream(namespace, name), 0, 0)
		require.NoError(t, err)
		require.NotEmpty(t, evs, "subscription %s has a stream", name)
		for _, ev := range evs {
			if ev.Type != committed {
				continue
			}
			var c catalogue.SubscriptionOffsetCommitted
			require.NoError(t, json.Unmarshal(ev.Data, &c))
			out[name] = max(out[name], c.Offset)
		}
	}
	return out
}
