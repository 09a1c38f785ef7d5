package deliverybench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/nats-io/nats.go"
	"github.com/rs/zerolog"

	lmnats "github.com/ledgermirror/ledgermirror/adapters/broker/nats"
	"github.com/ledgermirror/ledgermirror/adapters/webhook"
	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/leader"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
)

// outboundTimeout bounds one outbound measurement.
const outboundTimeout = 10 * time.Minute

// tally counts the deliveries of one outbound subscription, checks their
// order and says when the target is reached. A sequence delivered again
// (an attempt whose answer was lost) is at-least-once, not an error, and
// not counted twice.
type tally struct {
	mu     sync.Mutex
	order  sequenceCheck
	target int
	err    error
	done   chan struct{}
	once   sync.Once
}

func newTally(target int) *tally { return &tally{target: target, done: make(chan struct{})} }

func (t *tally) delivered(seq uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if seq == t.order.last {
		return
	}
	if err := t.order.next(seq); err != nil {
		t.fail(err)
		return
	}
	if t.order.n >= t.target {
		t.once.Do(func() { close(t.done) })
	}
}

// fail records the first error and ends the measurement (t.mu held).
func (t *tally) fail(err error) {
	if t.err == nil {
		t.err = err
	}
	t.once.Do(func() { close(t.done) })
}

func (t *tally) result() (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.order.n, t.err
}

// deliver creates spec as the one outbound subscription, runs a
// delivery.Outbound with senders until t has its target, and returns the
// events per second; the subscription is deleted afterwards.
func (b *bench) deliver(ctx context.Context, spec subscription.Spec, senders delivery.Senders, t *tally) (float64, error) {
	repo := b.node.repo
	ns := querybench.LogNamespace
	out, err := delivery.NewOutbound(repo, repo, b.node.engine, senders, leader.NewLocal("bench"), leader.NewRoles(),
		delivery.OutboundConfig{Namespaces: []string{ns},
			Retry: subscription.RetryPolicy{Initial: 10 * time.Millisecond, Max: time.Second, Attempts: 5}},
		zerolog.Nop())
	if err != nil {
		return 0, err
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	if _, err := repo.Create(ctx, ns, spec); err != nil {
		return 0, err
	}
	defer func() { _ = repo.Delete(context.WithoutCancel(ctx), ns, spec.Name) }()
	start := time.Now()
	ran := make(chan error, 1)
	go func() { ran <- out.Run(runCtx) }()
	timeout := time.NewTimer(outboundTimeout)
	defer timeout.Stop()
	select {
	case <-t.done:
	case err := <-ran:
		return 0, fmt.Errorf("outbound delivery stopped: %w", errors.Join(err, ctx.Err()))
	case <-timeout.C:
		n, _ := t.result()
		return 0, fmt.Errorf("%d of %d events delivered in %s", n, t.target, outboundTimeout)
	}
	took := time.Since(start)
	stop()
	if err := <-ran; err != nil {
		return 0, err
	}
	n, err := t.result()
	if err != nil {
		return 0, err
	}
	return rate(n, took), nil
}

// webhook delivers the first OutboundEvents events to an httptest
// receiver that verifies each signature.
func (b *bench) webhook(ctx context.Context) (float64, error) {
	secret := randomHex()
	t := newTally(b.opts.OutboundEvents)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		seq, err := strconv.ParseUint(r.Header.Get(webhook.HeaderSequence), 10, 64)
		if err != nil || !webhook.Verify([]byte(secret), body, r.Header.Get(webhook.HeaderSignature)) {
			t.mu.Lock()
			t.fail(fmt.Errorf("event %q: bad signature or sequence", r.Header.Get(webhook.HeaderEventID)))
			t.mu.Unlock()
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		t.delivered(seq)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	client := webhook.New(webhook.Config{Timeout: 10 * time.Second})
	defer client.CloseIdle()
	senders := func(context.Context, subscription.Subscription) (delivery.Sender, error) {
		return hookSender{client: client, url: recv.URL, secret: []byte(secret)}, nil
	}
	b.progress(fmt.Sprintf("%s: %d events to a webhook receiver", NameWebhook, b.opts.OutboundEvents))
	return b.deliver(ctx, subscription.Spec{Name: benchSubscription + "-webhook", Transport: subscription.TransportWebhook,
		Filter:  subscription.FilterSpec{Events: []string{confirmedEvent}},
		Options: subscription.OptionsSpec{URL: recv.URL, Secret: secret, FirstEvent: "oldest"}}, senders, t)
}

type hookSender struct {
	client *webhook.Client
	url    string
	secret []byte
}

func (h hookSender) Send(ctx context.Context, o delivery.Outgoing) error {
	return h.client.Post(ctx, webhook.Request{URL: h.url, Secret: h.secret, EventID: o.ID.String(), Sequence: o.Sequence,
		Type: o.Type, Subscription: o.Subscription, Body: o.Event})
}

func (hookSender) Close() error { return nil }

// nats publishes the first OutboundEvents events to JetStream, into a
// stream of this run's own, deleted afterwards.
func (b *bench) nats(ctx context.Context) (_ float64, err error) {
	id := randomHex()
	stream, prefix := "LMBENCH_"+id, "lmbench."+id
	conn, err := nats.Connect(b.opts.NATSURL, nats.Timeout(5*time.Second))
	if err != nil {
		return 0, fmt.Errorf("connecting to %s: %w", b.opts.NATSURL, err)
	}
	defer conn.Close()
	js, err := conn.JetStream()
	if err != nil {
		return 0, err
	}
	defer func() {
		if derr := js.DeleteStream(stream); derr != nil && !errors.Is(derr, nats.ErrStreamNotFound) {
			err = errors.Join(err, fmt.Errorf("deleting stream %s: %w", stream, derr))
		}
	}()
	t := newTally(b.opts.OutboundEvents)
	wlog := watermill.NewSlogLogger(slog.New(slog.DiscardHandler))
	senders := func(context.Context, subscription.Subscription) (delivery.Sender, error) {
		subject, err := subscription.ParseSubject(prefix + ".{type}")
		if err != nil {
			return nil, err
		}
		pub, err := lmnats.NewPublisher(lmnats.Config{URL: b.opts.NATSURL, Stream: stream, Subjects: []string{prefix + ".>"}}, wlog)
		if err != nil {
			return nil, err
		}
		return countingSender{Sender: delivery.PublisherSender(pub, subject), t: t}, nil
	}
	b.progress(fmt.Sprintf("%s: %d events to JetStream stream %s at %s", NameNATS, b.opts.OutboundEvents, stream, b.opts.NATSURL))
	r, err := b.deliver(ctx, subscription.Spec{Name: benchSubscription + "-nats", Transport: subscription.TransportNATS,
		Filter:  subscription.FilterSpec{Events: []string{confirmedEvent}},
		Options: subscription.OptionsSpec{URL: b.opts.NATSURL, Subject: prefix + ".{type}", FirstEvent: "oldest"}}, senders, t)
	if err != nil {
		return 0, err
	}
	info, err := js.StreamInfo(stream)
	if err != nil {
		return 0, err
	}
	if n, _ := t.result(); info.State.Msgs < uint64(n) { //nolint:gosec // n >= 0
		return 0, fmt.Errorf("JetStream acknowledged %d events but stream %s holds %d", n, stream, info.State.Msgs)
	}
	return r, nil
}

// countingSender tallies what the broker acknowledged.
type countingSender struct {
	delivery.Sender
	t *tally
}

func (c countingSender) Send(ctx context.Context, o delivery.Outgoing) error {
	if err := c.Sender.Send(ctx, o); err != nil {
		return err
	}
	c.t.delivered(o.Sequence)
	return nil
}

func randomHex() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
