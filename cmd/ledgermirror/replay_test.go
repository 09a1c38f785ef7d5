package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/webhook"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// replayNode is a one-member network in this process with a few confirmed
// broadcasts: 4 on topic orders (tag big on the first two), 2 on invoices.
func replayNode(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	n, err := network.Start(ctx, network.Options{Members: 1, DataDir: t.TempDir(), Log: zerolog.Nop()})
	if err != nil {
		cancel()
		require.NoError(t, err)
	}
	t.Cleanup(func() {
		assert.NoError(t, n.Stop())
		cancel()
	})
	ready, cancelReady := context.WithTimeout(ctx, time.Minute)
	defer cancelReady()
	require.NoError(t, n.WaitReady(ready))
	api := n.Members()[0].APIURL()
	for i, topic := range []string{"orders", "orders", "orders", "invoices", "orders", "invoices"} {
		tag := "small"
		if i < 2 {
			tag = "big"
		}
		body := fmt.Sprintf(`{"header":{"topics":[%q],"tag":%q},"data":[{"value":{"n":%d}}]}`, topic, tag, i)
		resp, err := http.Post(api+"/api/v1/namespaces/default/messages/broadcast?confirm=true", "application/json",
			strings.NewReader(body))
		require.NoError(t, err)
		_ = resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, "message %d confirmed", i)
	}
	// The event list follows the log: wait until it lists every
	// confirmation (the test's 6, and the member's own definitions).
	require.Eventually(t, func() bool {
		resp, err := http.Get(api + "/api/v1/namespaces/default/events?type=message_confirmed&limit=100")
		if err != nil {
			return false
		}
		defer func() { _ = resp.Body.Close() }()
		var evs []replayedEvent
		if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&evs) != nil {
			return false
		}
		mine := 0
		for _, e := range evs {
			if !slices.Contains(e.Topics, "lm_definitions") {
				mine++
			}
		}
		return mine == 6
	}, 30*time.Second, 50*time.Millisecond)
	return api
}

// getEvents reads GET /events?query as documents.
func getEvents(t *testing.T, api, query string) []json.RawMessage {
	t.Helper()
	resp, err := http.Get(api + "/api/v1/namespaces/default/events?" + query)
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var docs []json.RawMessage
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&docs))
	return docs
}

// replayedEvent is what the tests read back of an event.
type replayedEvent struct {
	Sequence uint64   `json:"sequence"`
	Type     string   `json:"type"`
	Topics   []string `json:"topics"`
	Tag      string   `json:"tag"`
}

// ndjson reads --stdout's output: one event per line.
func ndjson(t *testing.T, out string) ([]replayedEvent, []string) {
	t.Helper()
	var evs []replayedEvent
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if out == "" {
		lines = nil
	}
	for _, line := range lines {
		var e replayedEvent
		require.NoError(t, json.Unmarshal([]byte(line), &e), line)
		evs = append(evs, e)
	}
	return evs, lines
}

func TestReplayFromARunningNode(t *testing.T) {
	api := replayNode(t)
	all := getEvents(t, api, "sort=sequence&limit=1000")

	t.Run("stdout", func(t *testing.T) {
		code, out, errOut := runCLI(t, nil, "replay", "--api", api, "--from", "0", "--stdout")
		require.Equal(t, exitOK, code, errOut)
		evs, lines := ndjson(t, out)
		require.Len(t, lines, len(all), "every event, once")
		for i, line := range lines {
			// The same JSON as GET /events/{sequence}.
			resp, err := http.Get(api + "/api/v1/namespaces/default/events/" + strconv.FormatUint(evs[i].Sequence, 10))
			require.NoError(t, err)
			item, err := io.ReadAll(resp.Body)
			_ = resp.Body.Close()
			require.NoError(t, err)
			assert.Equal(t, string(item), line)
			if i > 0 {
				assert.Greater(t, evs[i].Sequence, evs[i-1].Sequence, "in sequence order")
			}
		}
		assert.Contains(t, errOut, "replay: ", "plain progress lines when stderr is not a terminal")
		assert.Contains(t, errOut, "100%")
		assert.NotContains(t, errOut, "\r")
		assert.Contains(t, errOut, fmt.Sprintf("replay: %d events emitted of %d read", len(all), len(all)))
	})

	t.Run("filter", func(t *testing.T) {
		code, out, errOut := runCLI(t, nil, "replay", "--api", api, "--from", "0", "--stdout",
			"--events", "message_confirmed,message_rejected", "--topics", "^orders$", "--tag", "^big$")
		require.Equal(t, exitOK, code, errOut)
		evs, _ := ndjson(t, out)
		require.Len(t, evs, 2)
		for _, e := range evs {
			assert.Equal(t, subscription.EventMessageConfirmed, e.Type)
			assert.Equal(t, []string{"orders"}, e.Topics)
			assert.Equal(t, "big", e.Tag)
		}

		code, out, errOut = runCLI(t, nil, "replay", "--api", api, "--from", "0", "--stdout", "--topics", "invoices")
		require.Equal(t, exitOK, code, errOut)
		evs, _ = ndjson(t, out)
		assert.Len(t, evs, 2, "a filter on a message field passes message events only")
	})

	t.Run("from and to", func(t *testing.T) {
		code, out, errOut := runCLI(t, nil, "replay", "--api", api, "--from", "0", "--stdout", "--events", "message_confirmed")
		require.Equal(t, exitOK, code, errOut)
		confirmed, _ := ndjson(t, out)
		require.Greater(t, len(confirmed), 6, "the test's messages and the member's definitions")
		from, to := confirmed[1].Sequence, confirmed[3].Sequence
		code, out, errOut = runCLI(t, nil, "replay", "--api", api, "--stdout", "--events", "message_confirmed",
			"--from", strconv.FormatUint(from, 10), "--to", strconv.FormatUint(to, 10))
		require.Equal(t, exitOK, code, errOut)
		evs, _ := ndjson(t, out)
		assert.Equal(t, confirmed[1:4], evs, "both ends included")
	})

	t.Run("webhook", func(t *testing.T) {
		hook := newReplayReceiver(t, "s3cret", 2)
		secretFile := filepath.Join(t.TempDir(), "secret")
		require.NoError(t, os.WriteFile(secretFile, []byte("s3cret\n"), 0o600))
		code, _, errOut := runCLI(t, nil, "replay", "--api", api, "--from", "0", "--to-webhook", hook.url,
			"--secret-file", secretFile, "--subscription", "audit", "--retry-initial", "5ms")
		require.Equal(t, exitOK, code, errOut)
		assert.Contains(t, errOut, "attempt 1 of 8 failed", "the failures the receiver made were retried")
		hook.mu.Lock()
		defer hook.mu.Unlock()
		assert.Empty(t, hook.problems)
		require.Len(t, hook.delivered, len(all), "every event, once, after its retries")
		for i, doc := range all {
			var e replayedEvent
			require.NoError(t, json.Unmarshal(doc, &e))
			assert.Equal(t, e.Sequence, hook.delivered[i], "in sequence order")
		}
		assert.Equal(t, "default/audit", hook.subscription)
	})

	t.Run("webhook keeps failing", func(t *testing.T) {
		hook := newReplayReceiver(t, "s3cret", 1000)
		code, _, errOut := runCLI(t, nil, "replay", "--api", api, "--from", "0", "--to-webhook", hook.url,
			"--secret", "s3cret", "--retry-initial", "1ms", "--retry-attempts", "3")
		assert.Equal(t, exitFailure, code)
		first := all[0]
		var e replayedEvent
		require.NoError(t, json.Unmarshal(first, &e))
		assert.Contains(t, errOut, "the webhook "+hook.url+" kept failing: event "+strconv.FormatUint(e.Sequence, 10))
		assert.Contains(t, errOut, "not delivered after 3 attempts: webhook answered 503")
		assert.Contains(t, errOut, "run again with --from "+strconv.FormatUint(e.Sequence, 10))
	})

	t.Run("unknown namespace", func(t *testing.T) {
		code, _, errOut := runCLI(t, nil, "replay", "--api", api, "--from", "0", "--stdout", "--namespace", "nope")
		assert.Equal(t, exitFailure, code)
		assert.Contains(t, errOut, "404 LM10410")
	})
}

// replayReceiver is a webhook endpoint that checks each post's signature
// and headers, answers 503 to the first failFirst attempts at each event,
// and records the sequences it took, in order.
type replayReceiver struct {
	url string

	mu           sync.Mutex
	attempts     map[uint64]int
	delivered    []uint64
	problems     []string
	subscription string
}

func newReplayReceiver(t *testing.T, secret string, failFirst int) *replayReceiver {
	r := &replayReceiver{attempts: map[uint64]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if !webhook.Verify([]byte(secret), body, req.Header.Get(webhook.HeaderSignature)) {
			r.problems = append(r.problems, "bad signature")
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var e replayedEvent
		if err := json.Unmarshal(body, &e); err != nil {
			r.problems = append(r.problems, err.Error())
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if got := req.Header.Get(webhook.HeaderSequence); got != strconv.FormatUint(e.Sequence, 10) {
			r.problems = append(r.problems, "sequence header "+got)
		}
		if req.Header.Get(webhook.HeaderEventType) != e.Type {
			r.problems = append(r.problems, "type header "+req.Header.Get(webhook.HeaderEventType))
		}
		r.subscription = req.Header.Get(webhook.HeaderSubscription)
		r.attempts[e.Sequence]++
		if r.attempts[e.Sequence] <= failFirst && len(r.delivered)%3 == 0 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		if slices.Contains(r.delivered, e.Sequence) {
			r.problems = append(r.problems, "delivered twice")
		}
		r.delivered = append(r.delivered, e.Sequence)
	}))
	t.Cleanup(srv.Close)
	r.url = srv.URL + "/hook"
	return r
}

func TestReplayUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"no from":              {"--stdout"},
		"negative from":        {"--from", "-1", "--stdout"},
		"to before from":       {"--from", "10", "--to", "9", "--stdout"},
		"no destination":       {"--from", "0"},
		"two destinations":     {"--from", "0", "--stdout", "--to-webhook", "http://127.0.0.1:1/x", "--secret", "s"},
		"webhook no secret":    {"--from", "0", "--to-webhook", "http://127.0.0.1:1/x"},
		"webhook two secrets":  {"--from", "0", "--to-webhook", "http://127.0.0.1:1/x", "--secret", "s", "--secret-file", "f"},
		"webhook not http":     {"--from", "0", "--to-webhook", "ftp://x/y", "--secret", "s"},
		"webhook relative":     {"--from", "0", "--to-webhook", "/hook", "--secret", "s"},
		"secret with stdout":   {"--from", "0", "--stdout", "--secret", "s"},
		"missing secret file":  {"--from", "0", "--to-webhook", "http://127.0.0.1:1/x", "--secret-file", "/nonexistent/secret"},
		"bad api":              {"--from", "0", "--stdout", "--api", "127.0.0.1:5000"},
		"empty namespace":      {"--from", "0", "--stdout", "--namespace", ""},
		"unknown event type":   {"--from", "0", "--stdout", "--events", "message_confirmed,nope"},
		"bad topics regex":     {"--from", "0", "--stdout", "--topics", "("},
		"bad group regex":      {"--from", "0", "--stdout", "--group", "[a-"},
		"zero attempts":        {"--from", "0", "--stdout", "--retry-attempts", "0"},
		"max below initial":    {"--from", "0", "--stdout", "--retry-initial", "2s", "--retry-max", "1s"},
		"zero timeout":         {"--from", "0", "--stdout", "--timeout", "0s"},
		"extra argument":       {"--from", "0", "--stdout", "extra"},
		"empty subscription":   {"--from", "0", "--to-webhook", "http://127.0.0.1:1/x", "--secret", "s", "--subscription", ""},
		"unparseable sequence": {"--from", "ten", "--stdout"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, append([]string{"replay"}, args...)...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Contains(t, errOut, "ledgermirror: ")
			assert.Empty(t, out)
		})
	}
}

func TestReplayNodeUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	api := srv.URL
	srv.Close()
	code, _, errOut := runCLI(t, nil, "replay", "--api", api, "--from", "0", "--stdout", "--retry-attempts", "2",
		"--retry-initial", "1ms")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, errOut, "reading the node's events (is it running at --api?)")
}

// fakeEventList serves GET /events over seqs like the API does (sequence
// >= N, sort, limit), counting the requests.
func fakeEventList(t *testing.T, seqs []uint64) (*httptest.Server, *int) {
	var requests int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests++
		q := r.URL.Query()
		limit, err := strconv.Atoi(q.Get("limit"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var page []uint64
		if q.Get("sort") == "-sequence" {
			page = slices.Clone(seqs)
			slices.Reverse(page)
		} else {
			from, err := strconv.ParseUint(strings.TrimPrefix(q.Get("sequence"), ">="), 10, 64)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			for _, s := range seqs {
				if s >= from {
					page = append(page, s)
				}
			}
		}
		page = page[:min(limit, len(page))]
		var docs []string
		for _, s := range page {
			docs = append(docs, fmt.Sprintf(`{"id":"id-%d", "sequence": %d, "type":"identity_confirmed"}`, s, s))
		}
		_, _ = io.WriteString(w, "["+strings.Join(docs, ",")+"]")
	}))
	t.Cleanup(srv.Close)
	return srv, &requests
}

// TestReplayPages: a replay reads page after page, stops at --to inside a
// page, compacts each document to one line, and reports its progress.
func TestReplayPages(t *testing.T) {
	seqs := []uint64{3, 5, 8, 9, 12, 20, 21, 30}
	srv, requests := fakeEventList(t, seqs)
	retry := subscription.RetryPolicy{Initial: time.Millisecond, Max: time.Millisecond, Attempts: 1}
	for name, c := range map[string]struct {
		from     uint64
		to       *uint64
		want     []uint64
		requests int
	}{
		"all":           {from: 0, want: seqs, requests: 1 + 3},
		"from inside":   {from: 6, want: []uint64{8, 9, 12, 20, 21, 30}, requests: 1 + 2},
		"to in a page":  {from: 4, to: ptr(uint64(20)), want: []uint64{5, 8, 9, 12, 20}, requests: 1 + 2},
		"to past head":  {from: 29, to: ptr(uint64(99)), want: []uint64{30}, requests: 1 + 1},
		"from past end": {from: 31, want: nil, requests: 1},
	} {
		t.Run(name, func(t *testing.T) {
			*requests = 0
			src := newEventSource(srv.URL, "default", nil, time.Second, retry)
			src.pageSize = 3
			var out bytes.Buffer
			var states []generation.Status
			res, err := replay(context.Background(), src, subscription.Filter{}, newNDJSONSink(&out), c.from, c.to,
				func(st generation.Status) { states = append(states, st) })
			require.NoError(t, err)
			evs, _ := ndjson(t, out.String())
			var got []uint64
			for _, e := range evs {
				got = append(got, e.Sequence)
			}
			assert.Equal(t, c.want, got)
			assert.Equal(t, len(c.want), res.Emitted)
			assert.Equal(t, c.requests, *requests)
			assert.NotContains(t, out.String(), ", ", "compacted")
			last := states[len(states)-1]
			assert.Equal(t, generation.StateDone, last.State)
			assert.Equal(t, last.Head, last.Position)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestParseEventPage(t *testing.T) {
	page, err := parseEventPage([]byte(`[{"id":"a","sequence":1,"type":"message_confirmed","topics":["x"],"tag":"t",
		"author":"did:lm:org/org1","group":"ab"}, {"id":"b","sequence":4,"type":"identity_confirmed"}]`))
	require.NoError(t, err)
	require.Len(t, page, 2)
	assert.Equal(t, subscription.EventFields{Type: "message_confirmed", Topics: []string{"x"}, Tag: "t",
		Author: "did:lm:org/org1", Group: "ab"}, page[0].Fields)
	assert.NotContains(t, string(page[0].JSON), "\n")
	for name, body := range map[string]string{
		"not an array":    `{"error":"x"}`,
		"no sequence":     `[{"id":"a","type":"t"}]`,
		"no id":           `[{"sequence":1,"type":"t"}]`,
		"no type":         `[{"id":"a","sequence":1}]`,
		"out of order":    `[{"id":"a","sequence":2,"type":"t"},{"id":"b","sequence":2,"type":"t"}]`,
		"negative":        `[{"id":"a","sequence":-1,"type":"t"}]`,
		"not an object":   `[1]`,
		"truncated":       `[{"id":"a","sequence":1,"type":"t"}`,
		"bad topics type": `[{"id":"a","sequence":1,"type":"t","topics":"x"}]`,
	} {
		_, err := parseEventPage([]byte(body))
		assert.Error(t, err, name)
	}
}

func TestDescribeAPIError(t *testing.T) {
	assert.Equal(t, "404 LM10410: unknown namespace", describeAPIError(404, []byte(`{"error":"LM10410","message":"unknown namespace"}`)))
	assert.Equal(t, "502 Bad Gateway <html>", describeAPIError(502, []byte("<html>")))
	assert.Equal(t, "500 Internal Server Error", describeAPIError(500, nil))
}
