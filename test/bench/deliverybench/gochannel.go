package deliverybench

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
)

// payloads reads every message_confirmed event as a WebSocket client gets
// it, straight from the engine.
func (b *bench) payloads(ctx context.Context) ([][]byte, error) {
	zero := uint64(0)
	st, err := b.node.engine.Open(ctx, subscription.StreamRequest{Namespace: querybench.LogNamespace, After: &zero,
		AutoAck: true, Filter: subscription.FilterSpec{Events: []string{confirmedEvent}}})
	if err != nil {
		return nil, err
	}
	defer func() { _ = st.Close() }()
	out := make([][]byte, 0, b.opts.Events)
	for range b.opts.Events {
		d, err := st.Next(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, d.Event)
	}
	return out, nil
}

// goChannel publishes the replay's payloads to a Watermill GoChannel and
// receives them with one subscriber that acks each, in GoChannel's
// default configuration, as Watermill's own pub/sub benchmark does; it
// returns events per second from the first publish to
// the last receipt.
func (b *bench) goChannel(ctx context.Context) (float64, error) {
	payloads, err := b.payloads(ctx)
	if err != nil {
		return 0, fmt.Errorf("reading the payloads: %w", err)
	}
	b.progress(fmt.Sprintf("%s: %d events through a GoChannel", NameGoChannel, len(payloads)))
	wlog := watermill.NewSlogLogger(slog.New(slog.DiscardHandler))
	pubsub := gochannel.NewGoChannel(gochannel.Config{}, wlog)
	defer func() { _ = pubsub.Close() }()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	const topic = "lm.bench.delivery"
	msgs, err := pubsub.Subscribe(ctx, topic)
	if err != nil {
		return 0, err
	}
	received := make(chan error, 1)
	go func() {
		// GoChannel in its default configuration hands each message to
		// the subscriber on a goroutine of its own, so they arrive in any
		// order: check that each arrives once.
		seen := make([]bool, len(payloads))
		for n := range payloads {
			msg, ok := <-msgs
			if !ok {
				received <- fmt.Errorf("subscription closed after %d events", n)
				return
			}
			i, err := strconv.Atoi(msg.Metadata.Get("index"))
			msg.Ack()
			if err != nil || i < 0 || i >= len(seen) || seen[i] {
				received <- fmt.Errorf("message %q: index %q unknown or received twice", msg.UUID, msg.Metadata.Get("index"))
				return
			}
			seen[i] = true
		}
		received <- nil
	}()
	start := time.Now()
	for i, p := range payloads {
		msg := message.NewMessage(watermill.NewUUID(), p)
		msg.Metadata.Set("index", strconv.Itoa(i))
		if err := pubsub.Publish(topic, msg); err != nil {
			return 0, fmt.Errorf("publishing event %d: %w", i, err)
		}
	}
	if err := <-received; err != nil {
		return 0, err
	}
	return rate(len(payloads), time.Since(start)), nil
}
