//go:build integration

package e2e_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// deliveryMemberConfig is one member on its embedded chain, without a
// search index (the delivery tests need throughput, not search).
const deliveryMemberConfig = `log:
  level: warn
node:
  org: org1
  name: node1
  dataDir: %[1]s
api:
  listen: 127.0.0.1:%[2]d
dataExchange:
  listen: 127.0.0.1:%[3]d
chain:
  driver: embedded
search:
  driver: none
`

// servedMember is the configuration of a one-member `ledgermirror serve`,
// which can be started again on the same data directory and ports.
type servedMember struct {
	file    string
	dataDir string
	apiURL  string
}

func newServedMember(t *testing.T) servedMember {
	t.Helper()
	dir := t.TempDir()
	ports := freePorts(t, 2)
	m := servedMember{file: filepath.Join(dir, "org1.yaml"), dataDir: filepath.Join(dir, "org1"),
		apiURL: fmt.Sprintf("http://127.0.0.1:%d", ports[0])}
	cfg := fmt.Sprintf(deliveryMemberConfig, m.dataDir, ports[0], ports[1])
	require.NoError(t, os.WriteFile(m.file, []byte(cfg), 0o600))
	return m
}

// start runs `serve` and returns it with its client once it is ready.
func (m servedMember) start(t *testing.T, name string) (*proc, *apiClient) {
	t.Helper()
	p := startProc(t, name, "serve", "--config", m.file)
	client, _ := memberClient(t, p, 0, "org1", 60*time.Second)
	require.Equal(t, m.apiURL, client.base)
	eventually(t, 60*time.Second, name+" is ready", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		st, err := client.Status(ctx)
		if err == nil && !st.Ready {
			err = fmt.Errorf("not ready: %+v", st)
		}
		return err
	})
	return p, client
}

// createSubscription is POST /subscriptions.
func createSubscription(t *testing.T, c *apiClient, body map[string]any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var created struct {
		Name string `json:"name"`
	}
	require.NoError(t, c.do(ctx, http.MethodPost, "/namespaces/"+namespace+"/subscriptions", body, &created, http.StatusCreated))
	require.Equal(t, body["name"], created.Name)
}

// listedEvent is one entry of GET /events.
type listedEvent struct {
	ID        string   `json:"id"`
	Sequence  uint64   `json:"sequence"`
	Type      string   `json:"type"`
	Reference string   `json:"reference"`
	Topics    []string `json:"topics"`
}

// listEvents reads the whole event list matching filter (collection query
// parameters), in sequence order.
func listEvents(ctx context.Context, c *apiClient, filter url.Values) ([]listedEvent, error) {
	var out []listedEvent
	var after uint64
	for {
		q := url.Values{}
		for k, v := range filter {
			q[k] = v
		}
		q.Set("sort", "sequence")
		q.Set("limit", "1000")
		q.Set("sequence", ">"+strconv.FormatUint(after, 10))
		var page []listedEvent
		if err := c.do(ctx, http.MethodGet, "/namespaces/"+namespace+"/events?"+q.Encode(), nil, &page, http.StatusOK); err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < 1000 {
			return out, nil
		}
		after = page[len(page)-1].Sequence
	}
}

// received records the sequences one subscription's consumer got, in the
// order it got them, with the problems it saw (bad signatures, headers that
// disagree with the body, protocol errors).
type received struct {
	mu       sync.Mutex
	seqs     []uint64
	seen     map[uint64]bool
	problems []string
}

func newReceived() *received { return &received{seen: map[uint64]bool{}} }

func (r *received) add(seq uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seqs = append(r.seqs, seq)
	r.seen[seq] = true
}

// maxProblems bounds the problems kept, so that a systematic one does not
// bury the report.
const maxProblems = 20

func (r *received) problem(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case len(r.problems) < maxProblems:
		r.problems = append(r.problems, fmt.Sprintf(format, args...))
	case len(r.problems) == maxProblems:
		r.problems = append(r.problems, "(more problems not kept)")
	}
}

// distinct is how many different sequences arrived.
func (r *received) distinct() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen)
}

// missing returns how many of want have not arrived, and the first of them.
func (r *received) missing(want []uint64) (int, uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n, first := 0, uint64(0)
	for _, s := range want {
		if !r.seen[s] {
			if n == 0 {
				first = s
			}
			n++
		}
	}
	return n, first
}

func (r *received) snapshot() ([]uint64, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.seqs), slices.Clone(r.problems)
}

// hookReceiver is an application's webhook endpoint: it checks each POST's
// signature (HMAC-SHA256 of the exact body, written out here rather than
// borrowed from the node) and headers, and records its sequence. fail, when
// set, makes it answer 503 to the attempts it returns true for.
type hookReceiver struct {
	secret string
	sub    string // "<namespace>/<name>"
	got    *received
	srv    *httptest.Server
	fail   func(seq uint64, attempt int) bool

	mu       sync.Mutex
	attempts map[uint64]int
}

func newHookReceiver(t *testing.T, secret, sub string, fail func(seq uint64, attempt int) bool) *hookReceiver {
	t.Helper()
	h := &hookReceiver{secret: secret, sub: sub, got: newReceived(), fail: fail, attempts: map[uint64]int{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		h.got.problem("reading a webhook body: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, []byte(h.secret))
	mac.Write(body)
	if want := "sha256=" + hex.EncodeToString(mac.Sum(nil)); !hmac.Equal([]byte(r.Header.Get("X-LM-Signature")), []byte(want)) {
		h.got.problem("bad signature %q on %s", r.Header.Get("X-LM-Signature"), body)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var ev struct {
		ID           string `json:"id"`
		Sequence     uint64 `json:"sequence"`
		Type         string `json:"type"`
		Subscription struct {
			Namespace string `json:"namespace"`
			Name      string `json:"name"`
		} `json:"subscription"`
	}
	if err := json.Unmarshal(body, &ev); err != nil {
		h.got.problem("webhook body %s: %v", body, err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	for header, want := range map[string]string{"Content-Type": "application/json", "X-LM-Event-Id": ev.ID,
		"X-LM-Sequence": strconv.FormatUint(ev.Sequence, 10), "X-LM-Event-Type": ev.Type, "X-LM-Subscription": h.sub} {
		if got := r.Header.Get(header); got != want {
			h.got.problem("event %d: %s is %q, want %q", ev.Sequence, header, got, want)
		}
	}
	if got := ev.Subscription.Namespace + "/" + ev.Subscription.Name; got != h.sub {
		h.got.problem("event %d: subscription %q in the body, want %q", ev.Sequence, got, h.sub)
	}
	h.mu.Lock()
	h.attempts[ev.Sequence]++
	attempt := h.attempts[ev.Sequence]
	h.mu.Unlock()
	if h.fail != nil && h.fail(ev.Sequence, attempt) {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	h.got.add(ev.Sequence)
	w.WriteHeader(http.StatusNoContent)
}

// checkDelivered checks the sequences a subscription's consumer got
// against want (every matching event, ascending), given the offset the
// subscription had committed durably when the node was killed (committed;
// 0 and rewinds 0 for a run without a kill). Each delivery must be the
// next expected event, except at most rewinds times where delivery starts
// over: a restarted node resumes right after its committed offset, so a
// rewind must go back to the first expected event after committed (and
// what it repeats is exactly what had been delivered but not committed).
// Nothing may be skipped, and the last expected event must have arrived.
// It returns how many deliveries were repeats.
func checkDelivered(want, got []uint64, committed uint64, rewinds int) (int, error) {
	if len(want) == 0 {
		return 0, fmt.Errorf("no event expected")
	}
	index := make(map[uint64]int, len(want))
	for i, s := range want {
		index[s] = i
	}
	resume, _ := slices.BinarySearch(want, committed+1)
	prev, repeats, seenRewinds := -1, 0, 0
	for n, s := range got {
		i, ok := index[s]
		switch {
		case !ok:
			return repeats, fmt.Errorf("delivery %d: event %d is not one of the subscription's", n, s)
		case i == prev+1:
		case i <= prev:
			seenRewinds++
			if seenRewinds > rewinds {
				return repeats, fmt.Errorf("delivery %d: event %d after event %d: %d redeliveries, at most %d allowed",
					n, s, want[prev], seenRewinds, rewinds)
			}
			if i != resume {
				return repeats, fmt.Errorf("delivery %d: redelivery from event %d, but the committed offset was %d: it should start at %d",
					n, s, committed, want[min(resume, len(want)-1)])
			}
			repeats += prev - i + 1
		default:
			return repeats, fmt.Errorf("delivery %d: event %d after event %d skips %d events (the first %d)",
				n, s, prevSeq(want, prev), i-prev-1, want[prev+1])
		}
		prev = i
	}
	if prev != len(want)-1 {
		return repeats, fmt.Errorf("%d of %d events delivered: missing from event %d on", prev+1, len(want), want[prev+1])
	}
	return repeats, nil
}

func prevSeq(want []uint64, i int) uint64 {
	if i < 0 {
		return 0
	}
	return want[i]
}

// TestWebhookSubscription: a webhook subscription on a running node POSTs
// the message_confirmed events of the messages sent after it, each signed
// with the subscription's secret, with headers that match the body, in
// sequence order; an event the receiver refuses (503) is retried and the
// events behind it wait, so the order holds; and the subscription's offset
// is committed up to the last event.
func TestWebhookSubscription(t *testing.T) {
	const (
		messages = 20
		secret   = "e2e-webhook-secret-0123"
	)
	member := newServedMember(t)
	node, client := member.start(t, "ledgermirror serve")
	// The receiver refuses the first attempt at the third event it gets.
	var (
		mu     sync.Mutex
		firsts []uint64
	)
	hook := newHookReceiver(t, secret, namespace+"/orders-hook", func(seq uint64, attempt int) bool {
		mu.Lock()
		defer mu.Unlock()
		if attempt == 1 {
			firsts = append(firsts, seq)
		}
		return attempt == 1 && len(firsts) == 3
	})
	createSubscription(t, client, map[string]any{"name": "orders-hook", "transport": "webhook",
		"filter": map[string]any{"events": []string{"message_confirmed"}, "topics": "^orders$"},
		"options": map[string]any{"url": hook.srv.URL, "secret": secret,
			"retry": map[string]any{"initial": "50ms", "max": "200ms", "attempts": 5}}})

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	sent := map[string]bool{}
	for i := range messages {
		v, err := client.Broadcast(ctx, []string{"orders"}, map[string]any{"order": i})
		require.NoError(t, err)
		sent[v.Header.ID] = true
	}
	var want []uint64
	eventually(t, time.Minute, "every message confirmed", func() error {
		evs, err := listEvents(ctx, client, url.Values{"type": {"message_confirmed"}, "topics": {"orders"}})
		if err != nil {
			return err
		}
		if len(evs) != messages {
			return fmt.Errorf("%d of %d confirmed", len(evs), messages)
		}
		want = want[:0]
		for _, ev := range evs {
			if !sent[ev.Reference] {
				return fmt.Errorf("event %d is about message %s, which was not sent", ev.Sequence, ev.Reference)
			}
			want = append(want, ev.Sequence)
		}
		return nil
	})
	eventually(t, time.Minute, "every event posted", func() error {
		if n, first := hook.got.missing(want); n > 0 {
			return fmt.Errorf("%d events missing, the first %d", n, first)
		}
		return nil
	})
	got, problems := hook.got.snapshot()
	assert.Empty(t, problems, "signatures and headers")
	_, err := checkDelivered(want, got, 0, 0)
	assert.NoError(t, err, "each event once, in order")
	mu.Lock()
	require.Len(t, firsts, messages)
	refusedSeq := firsts[2]
	mu.Unlock()
	hook.mu.Lock()
	assert.Equal(t, 2, hook.attempts[refusedSeq], "the refused event was posted again")
	hook.mu.Unlock()
	assert.Equal(t, want[2], refusedSeq, "the third event was refused, and nothing overtook it")

	eventually(t, 30*time.Second, "the offset committed up to the last event", func() error {
		var sub struct {
			Offset uint64 `json:"offset"`
		}
		if err := client.do(ctx, http.MethodGet, "/namespaces/"+namespace+"/subscriptions/orders-hook", nil, &sub,
			http.StatusOK); err != nil {
			return err
		}
		if sub.Offset < want[len(want)-1] {
			return fmt.Errorf("offset %d, the last event %d", sub.Offset, want[len(want)-1])
		}
		return nil
	})
	assert.Equal(t, 0, node.interrupt(t, 30*time.Second), "serve exits 0 on SIGINT")
}
