//go:build integration

package e2e_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/stretchr/testify/require"
)

// wsConsumer is an application on the WebSocket: it starts a named
// subscription, records each event and acknowledges it at once, and when
// the connection breaks (the node was killed) dials again until the node
// is back, then starts the subscription again.
type wsConsumer struct {
	url, name string
	got       *received
	sessions  atomic.Int32 // connections on which the subscription started
}

func newWSConsumer(apiURL, name string) *wsConsumer {
	return &wsConsumer{url: "ws" + strings.TrimPrefix(apiURL, "http") + "/ws", name: name, got: newReceived()}
}

// run consumes until ctx ends.
func (w *wsConsumer) run(ctx context.Context) {
	for ctx.Err() == nil {
		w.session(ctx)
		// A back-off between dials while the node is down.
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (w *wsConsumer) session(ctx context.Context) {
	dial, cancel := context.WithTimeout(ctx, 5*time.Second)
	conn, res, err := websocket.Dial(dial, w.url, nil)
	cancel()
	if err != nil {
		return
	}
	if res.Body != nil {
		_ = res.Body.Close()
	}
	defer func() { _ = conn.CloseNow() }()
	conn.SetReadLimit(1 << 20)
	if w.write(ctx, conn, map[string]any{"type": "start", "namespace": namespace, "name": w.name}) != nil {
		return
	}
	for {
		_, raw, err := conn.Read(ctx)
		if err != nil {
			return
		}
		var ev wsEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			w.got.problem("websocket frame %s: %v", raw, err)
			return
		}
		switch ev.Type {
		case "started":
			w.sessions.Add(1)
			continue
		case "protocol_error":
			w.got.problem("websocket protocol error %s: %s", ev.Error, ev.Message)
			return
		}
		w.got.add(ev.Sequence)
		if w.write(ctx, conn, map[string]any{"type": "ack", "namespace": namespace, "name": w.name, "id": ev.ID}) != nil {
			return
		}
	}
}

func (w *wsConsumer) write(ctx context.Context, conn *websocket.Conn, frame any) error {
	raw, err := json.Marshal(frame)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return conn.Write(ctx, websocket.MessageText, raw)
}

// natsStream is the JetStream stream the node publishes into by default
// (delivery.nats.stream), capturing ledgermirror.>.
const natsStream = "LEDGERMIRROR"

// consumeNATS reads, with an ordered JetStream consumer, every message the
// node publishes under subject prefix (prefix.>), recording its sequence
// and checking its headers. The stream is created
// as the node would create it if it is missing; the test's subjects are
// purged from it when the test ends.
func consumeNATS(t *testing.T, url, prefix string) *received {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	nc, err := nats.Connect(url, nats.Name("ledgermirror-e2e"))
	require.NoError(t, err)
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	require.NoError(t, err)
	stream, err := js.Stream(ctx, natsStream)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		stream, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: natsStream, Subjects: []string{"ledgermirror.>"}})
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			stream, err = js.Stream(ctx, natsStream)
		}
	}
	require.NoError(t, err, "the JetStream stream %s", natsStream)
	require.Contains(t, stream.CachedInfo().Config.Subjects, "ledgermirror.>", "stream %s captures the node's subjects", natsStream)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := stream.Purge(ctx, jetstream.WithPurgeSubject(prefix+".>")); err != nil {
			t.Logf("purging %s.> from %s: %v", prefix, natsStream, err)
		}
	})
	cons, err := js.OrderedConsumer(ctx, natsStream, jetstream.OrderedConsumerConfig{FilterSubjects: []string{prefix + ".>"},
		DeliverPolicy: jetstream.DeliverAllPolicy})
	require.NoError(t, err)
	got := newReceived()
	cc, err := cons.Consume(func(m jetstream.Msg) {
		var ev struct {
			ID       string `json:"id"`
			Sequence uint64 `json:"sequence"`
		}
		if err := json.Unmarshal(m.Data(), &ev); err != nil {
			got.problem("nats message on %s: %v", m.Subject(), err)
			return
		}
		// The message id (what JetStream de-duplicates by) is the
		// delivery's, one per event and subscription; the event's id is
		// in a header of its own.
		if m.Headers().Get(nats.MsgIdHdr) == "" {
			got.problem("event %d: no Nats-Msg-Id", ev.Sequence)
		}
		if id := m.Headers().Get("lm_event_id"); id != ev.ID {
			got.problem("event %d: lm_event_id %q, want the event id %q", ev.Sequence, id, ev.ID)
		}
		got.add(ev.Sequence)
	})
	require.NoError(t, err)
	t.Cleanup(cc.Stop)
	return got
}

// broadcaster sends numbered broadcasts on topics prefix-0 .. prefix-3
// with concurrent workers until it has sent them all or is stopped; what
// was not accepted because of the stop is left for a later send.
type broadcaster struct {
	client  *apiClient
	prefix  string
	workers int
	stopped atomic.Bool

	mu       sync.Mutex
	accepted []string
	unsent   []int
	errs     []error
}

// send sends the broadcasts numbered in todo and returns when each was
// accepted, failed, or (after stop) left unsent.
func (b *broadcaster) send(ctx context.Context, todo []int) {
	queue := make(chan int, len(todo))
	for _, i := range todo {
		queue <- i
	}
	close(queue)
	var wg sync.WaitGroup
	for range b.workers {
		wg.Go(func() {
			for i := range queue {
				if b.stopped.Load() {
					b.leave(i)
					continue
				}
				v, err := b.client.Broadcast(ctx, []string{fmt.Sprintf("%s-%d", b.prefix, i%4)}, map[string]any{"i": i})
				b.mu.Lock()
				switch {
				case err == nil:
					b.accepted = append(b.accepted, v.Header.ID)
				case b.stopped.Load():
					// Cut short by the kill: it may or may not be stored, and
					// is sent again (at worst one more message).
					b.unsent = append(b.unsent, i)
				default:
					b.errs = append(b.errs, fmt.Errorf("broadcast %d: %w", i, err))
				}
				b.mu.Unlock()
			}
		})
	}
	wg.Wait()
}

func (b *broadcaster) leave(i int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.unsent = append(b.unsent, i)
}

func (b *broadcaster) acceptedCount() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.accepted)
}

// takeUnsent returns and forgets what was left unsent.
func (b *broadcaster) takeUnsent() []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := b.unsent
	b.unsent = nil
	return out
}
