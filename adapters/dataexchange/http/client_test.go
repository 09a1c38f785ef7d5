package http

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func newTestClient(t *testing.T, cfg ClientConfig) (*Client, ed25519.PrivateKey) {
	t.Helper()
	key := newKey(t)
	c, err := NewClient(cfg, did(t, "did:lm:node/orga/node1"), key)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c, key
}

func peerAt(t *testing.T, url string) messaging.Peer {
	return messaging.Peer{Node: did(t, "did:lm:node/orgb/node1"), Endpoint: url}
}

func TestClientMapsAnswers(t *testing.T) {
	cases := []struct {
		status    int
		body      string
		refused   bool
		reason    string
		retryable bool
	}{
		{http.StatusNoContent, "", false, "", false},
		{http.StatusOK, `{"ok":true}`, false, "", false},
		{http.StatusBadRequest, `{"error":"LM10400","message":"envelope: unknown member"}`, true, "envelope: unknown member", false},
		{http.StatusUnauthorized, `{"error":"LM10401","message":"unknown sender"}`, true, "unknown sender", false},
		{http.StatusNotFound, `not json at all`, true, "not json at all", false},
		{http.StatusRequestEntityTooLarge, ``, true, "413 Request Entity Too Large", false},
		{http.StatusRequestTimeout, ``, false, "", true},
		{http.StatusTooManyRequests, ``, false, "", true},
		{http.StatusInternalServerError, `{"error":"LM10500","message":"the batch could not be recorded"}`, false, "", true},
		{http.StatusBadGateway, `<html>proxy</html>`, false, "", true},
		{http.StatusServiceUnavailable, ``, false, "", true},
		{http.StatusFound, ``, false, "", true},
	}
	for _, tc := range cases {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
				if tc.status == http.StatusFound {
					w.Header().Set("Location", "http://127.0.0.1:1/")
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			c, _ := newTestClient(t, ClientConfig{})
			blob := []byte("b")
			for _, err := range []error{
				c.SendBatch(context.Background(), peerAt(t, srv.URL), sampleEnvelope()),
				c.SendBlob(context.Background(), peerAt(t, srv.URL), "default", protocol.SHA256(blob), 1, opener(blob)),
			} {
				if !tc.refused && !tc.retryable {
					assert.NoError(t, err)
					continue
				}
				require.Error(t, err)
				pe, ok := peerError(err)
				assert.Equal(t, tc.refused, ok, "%v", err)
				assert.Equal(t, tc.refused, errors.Is(err, messaging.ErrPeerRefused))
				if ok {
					assert.Equal(t, tc.status, pe.Status)
					assert.Equal(t, tc.reason, pe.Reason)
				}
			}
		})
	}
}

func TestClientPeerDownIsRetryable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close()) // nobody listens there now
	c, _ := newTestClient(t, ClientConfig{})
	blob := []byte("b")
	for _, err := range []error{
		c.SendBatch(context.Background(), peerAt(t, "http://"+addr), sampleEnvelope()),
		c.SendBlob(context.Background(), peerAt(t, "http://"+addr), "default", protocol.SHA256(blob), 1, opener(blob)),
	} {
		require.Error(t, err)
		assert.NotErrorIs(t, err, messaging.ErrPeerRefused)
		assert.ErrorContains(t, err, "refused")
	}
}

func TestClientTimeoutIsRetryable(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	defer srv.Close()
	defer close(release)
	c, _ := newTestClient(t, ClientConfig{BatchTimeout: 100 * time.Millisecond})
	err := c.SendBatch(context.Background(), peerAt(t, srv.URL), sampleEnvelope())
	require.Error(t, err)
	assert.NotErrorIs(t, err, messaging.ErrPeerRefused)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// capture records the requests a fake peer gets, bodies included.
type capture struct {
	mu       sync.Mutex
	requests []*http.Request
	bodies   [][]byte
}

func (c *capture) handler(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.requests = append(c.requests, r)
	c.bodies = append(c.bodies, body)
	c.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (c *capture) last(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	require.NotEmpty(t, c.requests)
	return c.requests[len(c.requests)-1], c.bodies[len(c.bodies)-1]
}

func TestClientSignsWhatItSends(t *testing.T) {
	var got capture
	srv := httptest.NewServer(http.HandlerFunc(got.handler))
	defer srv.Close()
	c, key := newTestClient(t, ClientConfig{})
	pub := key.Public().(ed25519.PublicKey)
	peer := peerAt(t, srv.URL+"/"+"base/") // the endpoint's base path is not signed
	check := func(t *testing.T, method, path string, content protocol.Hash) *http.Request {
		t.Helper()
		req, _ := got.last(t)
		assert.Equal(t, method, req.Method)
		assert.Equal(t, "/base"+path, req.URL.EscapedPath())
		cred, _, err := parseCredentials(req.Header)
		require.NoError(t, err)
		assert.Equal(t, c.self, cred.sender)
		assert.Equal(t, content, cred.content)
		assert.NoError(t, cred.verify(pub, method, path, peer.Node, time.Now(), time.Minute))
		return req
	}

	env := sampleEnvelope()
	env.Messages, env.Data = nil, nil
	require.NoError(t, c.SendBatch(context.Background(), peer, env))
	req, body := got.last(t)
	assert.JSONEq(t, `{"namespace":"default","manifest":{"version":1,"id":"5b7e2c1a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"},"messages":[],"data":[],"payloadRef":"`+env.PayloadRef+`"}`, string(body))
	check(t, http.MethodPost, batchesPath, protocol.SHA256(body))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Equal(t, protocol.SHA256(body).String(), req.Header.Get("Idempotency-Key"))

	full := sampleEnvelope()
	require.NoError(t, c.SendBatch(context.Background(), peer, full))
	_, body = got.last(t)
	assert.Contains(t, string(body), `"hash":"h<&>"`, "no HTML escaping")

	blob := bytes.Repeat([]byte("blob"), 50_000)
	h := protocol.SHA256(blob)
	require.NoError(t, c.SendBlob(context.Background(), peer, "ns1", h, int64(len(blob)), opener(blob)))
	req, body = got.last(t)
	check(t, http.MethodPut, blobsPath+"ns1/"+h.String(), h)
	assert.Equal(t, blob, body)
	assert.Equal(t, int64(len(blob)), req.ContentLength)
	assert.Empty(t, req.TransferEncoding, "streamed with a known length, not chunked")
	assert.Equal(t, "100-continue", req.Header.Get("Expect"))

	empty := protocol.SHA256(nil)
	require.NoError(t, c.SendBlob(context.Background(), peer, "ns1", empty, 0, opener(nil)))
	req, body = got.last(t)
	assert.Empty(t, body)
	assert.Empty(t, req.TransferEncoding)
}

func TestClientRejectsBadInput(t *testing.T) {
	c, _ := newTestClient(t, ClientConfig{})
	blob := []byte("b")
	h := protocol.SHA256(blob)
	good := peerAt(t, "http://127.0.0.1:1")
	cases := []struct {
		name string
		send func() error
	}{
		{"endpoint not a URL", func() error {
			return c.SendBatch(context.Background(), messaging.Peer{Node: good.Node, Endpoint: "127.0.0.1:80"}, sampleEnvelope())
		}},
		{"endpoint empty", func() error {
			return c.SendBatch(context.Background(), messaging.Peer{Node: good.Node}, sampleEnvelope())
		}},
		{"no peer node", func() error {
			return c.SendBatch(context.Background(), messaging.Peer{Endpoint: good.Endpoint}, sampleEnvelope())
		}},
		{"raw JSON invalid", func() error {
			env := sampleEnvelope()
			env.Manifest = []byte(`{`)
			return c.SendBatch(context.Background(), good, env)
		}},
		{"blob namespace", func() error { return c.SendBlob(context.Background(), good, "a/b", h, 1, opener(blob)) }},
		{"blob size", func() error { return c.SendBlob(context.Background(), good, "default", h, -1, opener(blob)) }},
	}
	for _, tc := range cases {
		assert.ErrorIs(t, tc.send(), messaging.ErrInvalidInput, tc.name)
	}
	opened := errors.New("no such blob here")
	err := c.SendBlob(context.Background(), good, "default", h, 1, func() (io.ReadCloser, error) { return nil, opened })
	assert.ErrorIs(t, err, opened)
}

type closeCounter struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }

func TestClientClosesTheBlobReader(t *testing.T) {
	var got capture
	srv := httptest.NewServer(http.HandlerFunc(got.handler))
	defer srv.Close()
	c, _ := newTestClient(t, ClientConfig{})
	blob := []byte("blob")
	for _, size := range []int64{4, 0} {
		for _, peer := range []messaging.Peer{peerAt(t, srv.URL), peerAt(t, "http://127.0.0.1:1"), {Node: did(t, "did:lm:node/a/b"), Endpoint: "::"}} {
			rc := &closeCounter{Reader: bytes.NewReader(blob[:size])}
			_ = c.SendBlob(context.Background(), peer, "default", protocol.SHA256(blob[:size]), size,
				func() (io.ReadCloser, error) { return rc, nil })
			assert.Eventually(t, func() bool { return rc.closed.Load() >= 1 }, time.Second, time.Millisecond, "size %d, %s", size, peer.Endpoint)
		}
	}
}

func TestClientReusesConnections(t *testing.T) {
	var conns atomic.Int32
	var got capture
	srv := httptest.NewUnstartedServer(http.HandlerFunc(got.handler))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	c, _ := newTestClient(t, ClientConfig{})
	for range 50 {
		require.NoError(t, c.SendBatch(context.Background(), peerAt(t, srv.URL), sampleEnvelope()))
	}
	blob := []byte("blob")
	for range 5 {
		require.NoError(t, c.SendBlob(context.Background(), peerAt(t, srv.URL), "default", protocol.SHA256(blob), 4, opener(blob)))
	}
	assert.Equal(t, int32(1), conns.Load(), "one kept-alive connection for sequential sends")

	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { assert.NoError(t, c.SendBatch(context.Background(), peerAt(t, srv.URL), sampleEnvelope())) })
	}
	wg.Wait()
	assert.LessOrEqual(t, conns.Load(), int32(21))
}

// zeros reads as endless zero bytes (whatever the buffer holds, really:
// nobody looks at them).
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { return len(p), nil }

func TestClientGivesUpOnAStalledUpload(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = r.Body.Read(make([]byte, 1)) // sends 100 Continue, then reads nothing more
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, _ := newTestClient(t, ClientConfig{BlobStallTimeout: 300 * time.Millisecond})
	const size = 1 << 40 // far more than the socket buffers hold; the peer never checks it
	start := time.Now()
	err := c.SendBlob(context.Background(), peerAt(t, srv.URL), "default", protocol.SHA256([]byte("whatever")), size,
		func() (io.ReadCloser, error) { return io.NopCloser(io.LimitReader(zeros{}, size)), nil })
	require.Error(t, err)
	assert.NotErrorIs(t, err, messaging.ErrPeerRefused)
	assert.Contains(t, err.Error(), "no progress")
	assert.Less(t, time.Since(start), 10*time.Second)
}

func TestReadReasonTruncates(t *testing.T) {
	resp := &http.Response{Status: "400 Bad Request", Body: io.NopCloser(strings.NewReader(strings.Repeat("x", 1000)))}
	assert.Len(t, readReason(resp), 203)
}
