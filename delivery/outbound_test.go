package delivery_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/webhook"
	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/leader"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

const hookSecret = "0123456789abcdef"

// receiver is a webhook endpoint that records what it gets and fails the
// sequences the test says.
type receiver struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	fail     map[uint64]bool
	attempts map[uint64][]time.Time
	got      []uint64 // delivered sequences, in order
	arrived  chan struct{}
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t, fail: map[uint64]bool{}, attempts: map[uint64][]time.Time{}, arrived: make(chan struct{}, 1000)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		assert.True(t, webhook.Verify([]byte(hookSecret), body, req.Header.Get(webhook.HeaderSignature)), "signed")
		seq, err := strconv.ParseUint(req.Header.Get(webhook.HeaderSequence), 10, 64)
		assert.NoError(t, err)
		assert.NotEmpty(t, req.Header.Get(webhook.HeaderEventID))
		assert.Contains(t, string(body), req.Header.Get(webhook.HeaderEventID), "the id header is the body's event")
		r.mu.Lock()
		r.attempts[seq] = append(r.attempts[seq], time.Now())
		fail := r.fail[seq]
		if !fail {
			r.got = append(r.got, seq)
		}
		r.mu.Unlock()
		if fail {
			http.Error(w, "receiver down", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		r.arrived <- struct{}{}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) failing(seq uint64, fail bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fail[seq] = fail
}

func (r *receiver) delivered() []uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]uint64(nil), r.got...)
}

func (r *receiver) tries(seq uint64) []time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Time(nil), r.attempts[seq]...)
}

// waitFor waits until the receiver has n deliveries.
func (r *receiver) waitFor(n int) {
	r.t.Helper()
	require.Eventually(r.t, func() bool { return len(r.delivered()) >= n }, 10*time.Second, 5*time.Millisecond,
		"deliveries: %v", r.delivered())
}

type hookSender struct {
	c           *webhook.Client
	url, secret string
}

func (s hookSender) Send(ctx context.Context, o delivery.Outgoing) error {
	return s.c.Post(ctx, webhook.Request{URL: s.url, Secret: []byte(s.secret), EventID: o.ID.String(), Sequence: o.Sequence,
		Type: o.Type, Subscription: o.Subscription, Body: o.Event})
}

func (hookSender) Close() error { return nil }

// startOutbound runs an Outbound over h whose webhook subscriptions post
// with a real client.
func startOutbound(t *testing.T, h *harness) *delivery.Outbound {
	t.Helper()
	c := webhook.New(webhook.Config{Timeout: 2 * time.Second})
	senders := func(_ context.Context, sub subscription.Subscription) (delivery.Sender, error) {
		return hookSender{c: c, url: sub.Options.URL, secret: sub.Options.Secret}, nil
	}
	out, err := delivery.NewOutbound(h.repo, h.repo, h.eng, senders, leader.NewLocal("test"), leader.NewRoles(),
		delivery.OutboundConfig{Namespaces: []string{"default"}, Throttle: 1000,
			Retry: subscription.RetryPolicy{Initial: time.Millisecond, Max: 10 * time.Millisecond, Attempts: 2}},
		zerolog.Nop())
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- out.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		assert.NoError(t, <-done)
	})
	return out
}

func hookSpec(name string, r *receiver, edit func(*subscription.OptionsSpec)) subscription.Spec {
	s := subscription.Spec{Name: name, Transport: subscription.TransportWebhook,
		Options: subscription.OptionsSpec{FirstEvent: "oldest", URL: r.srv.URL, Secret: hookSecret}}
	if edit != nil {
		edit(&s.Options)
	}
	return s
}

func sequences(docs []int64) []uint64 {
	out := make([]uint64, len(docs))
	for i, d := range docs {
		out[i] = uint64(d)
	}
	return out
}

// TestWebhookDeliversSignedEventsInOrder: every event reaches the
// receiver once, in order, signed, and the offset follows the acks.
func TestWebhookDeliversSignedEventsInOrder(t *testing.T) {
	h := newHarness(t, delivery.Options{CommitInterval: 10 * time.Millisecond})
	r := newReceiver(t)
	startOutbound(t, h)
	h.create(hookSpec("hook", r, nil))
	docs := h.messages(20, "x")
	r.waitFor(len(docs))
	var want []int64
	for _, d := range docs {
		want = append(want, d.Sequence)
	}
	assert.Equal(t, sequences(want), r.delivered())
	require.Eventually(t, func() bool {
		got, err := h.repo.Get(context.Background(), "default", "hook")
		return err == nil && got.Offset == uint64(docs[len(docs)-1].Sequence)
	}, 5*time.Second, 10*time.Millisecond)
}

// TestWebhookDeadLetterThenContinue: an event that fails every attempt
// is retried with a growing back-off, recorded as a dead letter, and the
// next events follow; a redrive delivers it and is recorded.
func TestWebhookDeadLetterThenContinue(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	r := newReceiver(t)
	out := startOutbound(t, h)
	docs := h.messages(4, "x")
	bad := uint64(docs[1].Sequence)
	r.failing(bad, true)
	h.create(hookSpec("hook", r, func(o *subscription.OptionsSpec) {
		o.Retry = &subscription.RetrySpec{Initial: "20ms", Max: "40ms", Attempts: 4}
	}))
	r.waitFor(3)
	assert.Equal(t, []uint64{uint64(docs[0].Sequence), uint64(docs[2].Sequence), uint64(docs[3].Sequence)}, r.delivered(),
		"in order, past the dead letter")
	tries := r.tries(bad)
	require.Len(t, tries, 4, "options.retry.attempts")
	for i, min := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond} {
		assert.GreaterOrEqual(t, tries[i+1].Sub(tries[i]), min, "wait before attempt %d", i+2)
	}
	dls, err := h.repo.DeadLetters(context.Background(), "default", "hook")
	require.NoError(t, err)
	require.Len(t, dls, 1)
	assert.Equal(t, bad, dls[0].Sequence)
	assert.Equal(t, docs[1].ID, dls[0].EventID)
	assert.Equal(t, 4, dls[0].Attempts)
	assert.Contains(t, dls[0].Error, "503")
	assert.False(t, dls[0].Paused)
	sub, err := h.repo.Get(context.Background(), "default", "hook")
	require.NoError(t, err)
	assert.False(t, sub.Paused())

	_, err = out.Redrive(context.Background(), "default", "hook", bad)
	require.ErrorIs(t, err, subscription.ErrDeliveryFailed, "the receiver still fails it")
	_, err = out.Redrive(context.Background(), "default", "hook", uint64(docs[0].Sequence))
	require.ErrorIs(t, err, subscription.ErrNotFound, "not a dead letter")
	r.failing(bad, false)
	_, err = out.Redrive(context.Background(), "default", "hook", bad)
	require.NoError(t, err)
	assert.Equal(t, bad, r.delivered()[3], "redriven")
	dls, err = h.repo.DeadLetters(context.Background(), "default", "hook")
	require.NoError(t, err)
	assert.False(t, dls[0].Redriven.IsZero(), "the redrive is recorded")
}

// TestWebhookDeadLetterPauses: with onDeadLetter pause, nothing after
// the dead letter is delivered until a resume; a later dead letter pauses
// again and its redrive resumes.
func TestWebhookDeadLetterPauses(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	r := newReceiver(t)
	out := startOutbound(t, h)
	docs := h.messages(5, "x")
	first, second := uint64(docs[1].Sequence), uint64(docs[3].Sequence)
	r.failing(first, true)
	r.failing(second, true)
	h.create(hookSpec("hook", r, func(o *subscription.OptionsSpec) { o.OnDeadLetter = subscription.OnDeadLetterPause }))
	require.Eventually(t, func() bool {
		sub, err := h.repo.Get(context.Background(), "default", "hook")
		return err == nil && sub.PausedAt == first
	}, 10*time.Second, 5*time.Millisecond, "paused by the dead letter")
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, []uint64{uint64(docs[0].Sequence)}, r.delivered(), "nothing past the pause")

	sub, err := h.repo.Resume(context.Background(), "default", "hook")
	require.NoError(t, err)
	assert.False(t, sub.Paused())
	r.waitFor(2)
	require.Eventually(t, func() bool {
		sub, err := h.repo.Get(context.Background(), "default", "hook")
		return err == nil && sub.PausedAt == second
	}, 10*time.Second, 5*time.Millisecond, "paused again")
	assert.Equal(t, []uint64{uint64(docs[0].Sequence), uint64(docs[2].Sequence)}, r.delivered())

	r.failing(second, false)
	sub, err = out.Redrive(context.Background(), "default", "hook", second)
	require.NoError(t, err)
	assert.False(t, sub.Paused(), "redriving the dead letter that paused resumes")
	r.waitFor(4)
	assert.Equal(t, []uint64{uint64(docs[0].Sequence), uint64(docs[2].Sequence), second, uint64(docs[4].Sequence)}, r.delivered())
}

// TestOutboundFollowsDeletes: a deleted subscription's worker stops.
func TestOutboundFollowsDeletes(t *testing.T) {
	h := newHarness(t, delivery.Options{})
	r := newReceiver(t)
	startOutbound(t, h)
	h.create(hookSpec("hook", r, nil))
	h.messages(2, "x")
	r.waitFor(2)
	require.NoError(t, h.repo.Delete(context.Background(), "default", "hook"))
	time.Sleep(100 * time.Millisecond)
	h.messages(2, "x")
	time.Sleep(300 * time.Millisecond)
	assert.Len(t, r.delivered(), 2, "nothing after the delete")
}
