//go:build integration

package rebuild_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

const ns = "default"

// get returns the status and body of a GET.
func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url) //nolint:gosec,noctx // the test's own loopback server
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func post(t *testing.T, url string, body any) (int, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		require.NoError(t, err)
		r = bytes.NewReader(raw)
	}
	resp, err := http.Post(url, "application/json", r) //nolint:gosec,noctx // the test's own loopback server
	require.NoError(t, err)
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

func eventually(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			require.FailNow(t, "timed out: "+what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// randomHistory sends broadcasts and private messages with random topics
// and data from random members, and waits until member 0 has them all
// confirmed.
func randomHistory(t *testing.T, n *network.Network, rng *rand.Rand, messages int) {
	t.Helper()
	members := n.Members()
	api := members[0].APIURL() + "/api/v1/namespaces/" + ns + "/messages"
	count := func(query string) int {
		var page struct{ Total int }
		code, b := get(t, api+"?count=true&limit=1"+query)
		require.Equal(t, http.StatusOK, code, string(b))
		require.NoError(t, json.Unmarshal(b, &page))
		return page.Total
	}
	for i := range messages {
		from := members[rng.Intn(len(members))]
		data := []map[string]any{}
		for range 1 + rng.Intn(3) {
			data = append(data, map[string]any{"value": map[string]any{"n": rng.Intn(1000), "s": fmt.Sprint("item-", i)}})
		}
		body := map[string]any{"header": map[string]any{"topics": []string{fmt.Sprint("topic-", rng.Intn(4))},
			"tag": fmt.Sprint("tag-", rng.Intn(3))}, "data": data}
		kind := "broadcast"
		if rng.Intn(3) == 0 {
			kind = "private"
			body["group"] = map[string]any{"members": []map[string]any{{"identity": "did:lm:org/org1"}, {"identity": "did:lm:org/org2"}}}
		}
		code, b := post(t, from.APIURL()+"/api/v1/namespaces/"+ns+"/messages/"+kind, body)
		require.Equal(t, http.StatusAccepted, code, string(b))
	}
	var last string
	defer func() { t.Log(last) }()
	eventually(t, 2*time.Minute, "every message confirmed on org1", func() bool {
		// Only the test's messages have a tag (not the registrations).
		all, confirmed := count("&tag=^tag-"), count("&tag=^tag-&state=confirmed")
		last = fmt.Sprintf("%d of %d messages, %d confirmed", all, messages, confirmed)
		return all == messages && confirmed == all
	})
}

// quiet waits until member m's log has not moved for a second and its
// projections have applied all of it, and returns the head.
func quiet(t *testing.T, m *network.Member) event.Position {
	t.Helper()
	var head event.Position
	eventually(t, time.Minute, "a quiet, projected log", func() bool {
		h1, err := m.Store().Head(context.Background())
		require.NoError(t, err)
		time.Sleep(time.Second)
		h2, err := m.Store().Head(context.Background())
		require.NoError(t, err)
		if h1 != h2 {
			return false
		}
		for _, p := range m.Projections().Positions() {
			if p < h2 {
				return false
			}
		}
		head = h2
		return true
	})
	return head
}

// answers are the query API's answers to a fixed set of requests.
func answers(t *testing.T, base string) map[string]string {
	t.Helper()
	out := map[string]string{}
	prefix := base + "/api/v1/namespaces/" + ns + "/"
	for _, path := range []string{
		"messages?limit=1000", "messages?count=true&state=confirmed&sort=-created&limit=5", "messages?topics=topic-1&tag=tag-2",
		"data?limit=1000", "batches?limit=1000", "pins?limit=1000", "groups", "identities", "datatypes",
		"transactions?limit=1000", "operations?limit=1000", "chainevents?limit=1000",
	} {
		code, b := get(t, prefix+path)
		require.Equal(t, http.StatusOK, code, "%s: %s", path, b)
		out[path] = string(b)
	}
	var msgs []struct{ Header struct{ ID string } }
	require.NoError(t, json.Unmarshal([]byte(out["messages?limit=1000"]), &msgs))
	require.NotEmpty(t, msgs)
	for _, m := range msgs[:min(5, len(msgs))] {
		path := "messages/" + m.Header.ID
		code, b := get(t, prefix+path)
		require.Equal(t, http.StatusOK, code, "%s: %s", path, b)
		out[path] = string(b)
	}
	return out
}

func TestRebuildWhileServing(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// No idle blocks: each would add a ChainCheckpoint event, and the
	// digests compare read models at one position of a log that stays put.
	n, err := network.Start(ctx, network.Options{Members: 2, DataDir: dir, BlockInterval: time.Hour,
		Log: zerolog.New(os.Stderr).Level(zerolog.WarnLevel)})
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, n.Stop()) })
	ready, cancelReady := context.WithTimeout(ctx, time.Minute)
	defer cancelReady()
	require.NoError(t, n.WaitReady(ready))

	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	randomHistory(t, n, rand.New(rand.NewSource(seed)), 40)
	m := n.Members()[0]
	head := quiet(t, m)
	live, err := m.ReadModel().Digest(ctx)
	require.NoError(t, err)
	before := answers(t, m.APIURL())

	// Readers keep reading throughout; none may fail at the swap.
	readCtx, stopReading := context.WithCancel(ctx)
	var readers sync.WaitGroup
	var failures []string
	var mu sync.Mutex
	for range 2 {
		readers.Go(func() {
			for readCtx.Err() == nil {
				resp, err := http.Get(m.APIURL() + "/api/v1/namespaces/" + ns + "/messages?count=true&limit=10") //nolint:noctx // stopped by readCtx between requests
				if err != nil {
					continue
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusOK {
					mu.Lock()
					failures = append(failures, resp.Status)
					mu.Unlock()
				}
			}
		})
	}

	admin := m.APIURL() + "/api/v1/admin/rebuild"
	code, b := post(t, admin, nil)
	require.Equal(t, http.StatusAccepted, code, string(b))
	var st generation.Status
	require.NoError(t, json.Unmarshal(b, &st))
	assert.Equal(t, uint64(1), st.Generation)
	code, b = post(t, admin, nil)
	if code != http.StatusConflict { // unless it is done already
		require.NoError(t, json.Unmarshal(b, &st))
		require.Equal(t, generation.StateDone, st.State, string(b))
	}
	eventually(t, time.Minute, "the rebuild done", func() bool {
		code, b := get(t, admin)
		require.Equal(t, http.StatusOK, code)
		require.NoError(t, json.Unmarshal(b, &st))
		require.NotEqual(t, generation.StateFailed, st.State, st.Error)
		return st.State == generation.StateDone
	})
	stopReading()
	readers.Wait()
	assert.Empty(t, failures, "reads failed during the rebuild")
	assert.Equal(t, uint64(1), st.Serving)
	assert.Equal(t, head, st.Head)
	assert.FileExists(t, filepath.Join(dir, "org1", "readmodel-1.db"))
	assert.NoFileExists(t, filepath.Join(dir, "org1", "readmodel.db"))

	require.Equal(t, head, quiet(t, m), "nothing happened meanwhile, so the digests must agree")
	rebuilt, err := m.ReadModel().Digest(ctx)
	require.NoError(t, err)
	assert.Equal(t, live, rebuilt, "the rebuilt read model equals the live one")
	assert.Equal(t, before, answers(t, m.APIURL()), "the query API answers as before")

	// A restarted member serves the rebuilt generation.
	require.NoError(t, n.StopMember(0))
	require.NoError(t, n.StartMember(0))
	m = n.Members()[0]
	assert.Equal(t, uint64(1), m.Projections().Serving())
	// The restarted member does work of its own (its log moves on), so
	// it is compared with a read model built from scratch from its log,
	// and on the answers about the test's messages, which cannot change.
	head = quiet(t, m)
	served, err := m.ReadModel().Digest(ctx)
	require.NoError(t, err)
	assert.Equal(t, reference(t, m.Store(), head), served)
	after := answers(t, m.APIURL())
	for k, v := range before {
		if strings.HasPrefix(k, "messages") {
			assert.Equal(t, v, after[k], k)
		}
	}
}

// reference builds the read model of log up to head from scratch.
func reference(t *testing.T, log event.Store, head event.Position) string {
	t.Helper()
	ctx := context.Background()
	rm, err := rmsqlite.Open(ctx, rmsqlite.Config{Path: filepath.Join(t.TempDir(), "reference.db")}, projections.Tables(), zerolog.Nop())
	require.NoError(t, err)
	defer func() { require.NoError(t, rm.Close()) }()
	r, err := projections.NewRunner(nil, rm, catalogue.Default(), projections.RunnerOptions{}, projections.All()...)
	require.NoError(t, err)
	var after event.Position
	for after < head {
		page, err := log.ReadAll(ctx, after, 1000)
		require.NoError(t, err)
		require.NotEmpty(t, page)
		for len(page) > 0 && page[len(page)-1].Position > head {
			page = page[:len(page)-1]
		}
		require.NoError(t, r.ApplyEvents(ctx, page))
		after = page[len(page)-1].Position
	}
	d, err := rm.Digest(ctx)
	require.NoError(t, err)
	return d
}
