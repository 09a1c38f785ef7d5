package http

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func did(t testing.TB, s string) protocol.NodeDID {
	t.Helper()
	d, err := protocol.ParseNodeDID(s)
	require.NoError(t, err)
	return d
}

func newKey(t testing.TB) ed25519.PrivateKey {
	t.Helper()
	k, err := GenerateKey()
	require.NoError(t, err)
	return k
}

type receivedBatch struct {
	from protocol.NodeDID
	env  messaging.Envelope
}

type receivedBlob struct {
	from      protocol.NodeDID
	namespace string
	hash      protocol.Hash
	size      int64
}

type refusal struct{ claimed, remote, reason string }

// fakeInbox records what the server delivers; batchErr and blobErr, when
// set, are returned instead of recording.
type fakeInbox struct {
	mu       sync.Mutex
	keys     map[string]string
	batches  []receivedBatch
	blobs    []receivedBlob
	refusals []refusal
	blobErrs []error
	batchErr error
	blobErr  error
}

func (f *fakeInbox) ReceiveBatch(_ context.Context, from protocol.NodeDID, env messaging.Envelope) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.batchErr != nil {
		return f.batchErr
	}
	f.batches = append(f.batches, receivedBatch{from, env})
	return nil
}

func (f *fakeInbox) ReceiveBlob(_ context.Context, from protocol.NodeDID, ns string, hash protocol.Hash, r io.Reader) error {
	h := sha256.New()
	n, err := io.Copy(h, r)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.blobErrs = append(f.blobErrs, err)
		return err
	}
	if f.blobErr != nil {
		return f.blobErr
	}
	if protocol.Hash(h.Sum(nil)) != hash {
		return messaging.ErrInvalidInput
	}
	f.blobs = append(f.blobs, receivedBlob{from, ns, hash, n})
	return nil
}

func (f *fakeInbox) PeerKey(node protocol.NodeDID) (string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k, ok := f.keys[node.String()]
	return k, ok
}

func (f *fakeInbox) Refused(ctx context.Context, claimed, remote, reason string) {
	if ctx.Err() != nil {
		panic("Refused got a dead context")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refusals = append(f.refusals, refusal{claimed, remote, reason})
}

func (f *fakeInbox) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches, f.blobs, f.refusals, f.blobErrs = nil, nil, nil, nil
}

func (f *fakeInbox) readErrors() []error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]error(nil), f.blobErrs...)
}

func (f *fakeInbox) snapshot() ([]receivedBatch, []receivedBlob, []refusal) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]receivedBatch(nil), f.batches...), append([]receivedBlob(nil), f.blobs...), append([]refusal(nil), f.refusals...)
}

// fixture is node B's server and node A's client, which B knows.
type fixture struct {
	aDID, bDID protocol.NodeDID
	aKey       ed25519.PrivateKey
	inbox      *fakeInbox
	server     *Server
	http       *httptest.Server
	client     *Client
	peer       messaging.Peer // B, as A addresses it
}

func newFixture(t *testing.T, cfg ServerConfig) *fixture {
	t.Helper()
	f := &fixture{aDID: did(t, "did:lm:node/orga/node1"), bDID: did(t, "did:lm:node/orgb/node1"), aKey: newKey(t)}
	f.inbox = &fakeInbox{keys: map[string]string{f.aDID.String(): PublicKeyPEM(f.aKey)}}
	cfg.Node = f.bDID.String()
	var err error
	f.server, err = NewServer(cfg, f.inbox, nil, zerolog.New(zerolog.NewTestWriter(t)))
	require.NoError(t, err)
	f.http = httptest.NewServer(f.server)
	t.Cleanup(f.http.Close)
	f.client = f.newClient(t, f.aDID, f.aKey)
	f.peer = messaging.Peer{Node: f.bDID, Endpoint: f.http.URL}
	return f
}

func (f *fixture) newClient(t *testing.T, self protocol.NodeDID, key ed25519.PrivateKey) *Client {
	t.Helper()
	c, err := NewClient(ClientConfig{}, self, key)
	require.NoError(t, err)
	t.Cleanup(c.Close)
	return c
}

// signedRequest builds a request signed by A for B, declaring declared as
// its content hash, whatever the body is.
func (f *fixture) signedRequest(t *testing.T, method, path string, body io.Reader, declared protocol.Hash) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, f.http.URL+path, body)
	require.NoError(t, err)
	sign(req.Header, f.aKey, method, path, time.Now(), declared, f.aDID, f.bDID)
	return req
}

// do sends req and returns the status and the error code of the answer.
func do(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(raw, &body)
	return resp.StatusCode, body.Error
}

func sampleEnvelope() messaging.Envelope {
	return messaging.Envelope{
		Namespace:  "default",
		Manifest:   json.RawMessage(`{"version":1,"id":"5b7e2c1a-3f4d-4e5a-9b6c-7d8e9f0a1b2c"}`),
		Messages:   []json.RawMessage{json.RawMessage(`{"header":{"id":"m1"},"hash":"h<&>"}`)},
		Data:       []json.RawMessage{json.RawMessage(`{"id":"d1","value":{"a":1}}`), json.RawMessage(`{"id":"d2"}`)},
		PayloadRef: "http://127.0.0.1:5000/dx/v1/storage/" + protocol.SHA256([]byte("p")).String(),
	}
}

func peerError(err error) (*messaging.PeerError, bool) {
	var pe *messaging.PeerError
	return pe, errors.As(err, &pe)
}
