package http

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func TestServerAcceptsAGoodBatch(t *testing.T) {
	f := newFixture(t, ServerConfig{})
	env := sampleEnvelope()
	require.NoError(t, f.client.SendBatch(context.Background(), f.peer, env))
	batches, _, refusals := f.inbox.snapshot()
	require.Len(t, batches, 1)
	assert.Equal(t, f.aDID, batches[0].from)
	assert.Equal(t, env, batches[0].env, "delivered byte for byte")
	assert.Empty(t, refusals)
}

func TestServerRefusesUnauthenticated(t *testing.T) {
	f := newFixture(t, ServerConfig{})
	stranger := did(t, "did:lm:node/orgc/node1")
	otherKey := newKey(t)
	cases := []struct {
		name    string
		client  func(t *testing.T) *Client
		peer    func() messaging.Peer
		claimed string
		reason  string
	}{
		{"unknown sender", func(t *testing.T) *Client { return f.newClient(t, stranger, otherKey) }, nil, stranger.String(), "unknown sender"},
		{"forged signature", func(t *testing.T) *Client { return f.newClient(t, f.aDID, otherKey) }, nil, f.aDID.String(), "signature"},
		{"stale timestamp", func(t *testing.T) *Client {
			c := f.newClient(t, f.aDID, f.aKey)
			c.now = func() time.Time { return time.Now().Add(-6 * time.Minute) }
			return c
		}, nil, f.aDID.String(), "off this node's clock"},
		{"timestamp in the future", func(t *testing.T) *Client {
			c := f.newClient(t, f.aDID, f.aKey)
			c.now = func() time.Time { return time.Now().Add(6 * time.Minute) }
			return c
		}, nil, f.aDID.String(), "off this node's clock"},
		{"signed for another recipient", func(t *testing.T) *Client { return f.client },
			func() messaging.Peer { p := f.peer; p.Node = stranger; return p }, f.aDID.String(), "signature"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.inbox.reset()
			peer := f.peer
			if tc.peer != nil {
				peer = tc.peer()
			}
			err := tc.client(t).SendBatch(context.Background(), peer, sampleEnvelope())
			pe, ok := peerError(err)
			require.True(t, ok, "%v", err)
			assert.Equal(t, http.StatusUnauthorized, pe.Status)
			assert.Contains(t, pe.Reason, tc.reason)
			batches, _, refusals := f.inbox.snapshot()
			assert.Empty(t, batches)
			require.Len(t, refusals, 1)
			assert.Equal(t, tc.claimed, refusals[0].claimed)
			assert.Contains(t, refusals[0].reason, tc.reason)
			assert.True(t, strings.HasPrefix(refusals[0].remote, "127.0.0.1:"), refusals[0].remote)
		})
	}
}

func TestServerAcceptsSkewWithinTheLimit(t *testing.T) {
	f := newFixture(t, ServerConfig{MaxClockSkew: time.Minute})
	for _, d := range []time.Duration{-50 * time.Second, 50 * time.Second} {
		f.client.now = func() time.Time { return time.Now().Add(d) }
		assert.NoError(t, f.client.SendBatch(context.Background(), f.peer, sampleEnvelope()), d)
	}
	f.client.now = func() time.Time { return time.Now().Add(-70 * time.Second) }
	_, ok := peerError(f.client.SendBatch(context.Background(), f.peer, sampleEnvelope()))
	assert.True(t, ok, "over the configured skew")
}

func TestServerRefusesBadHeaders(t *testing.T) {
	f := newFixture(t, ServerConfig{})
	body := []byte(`{"namespace":"default","manifest":{},"messages":[],"data":[]}`)
	cases := []struct {
		name   string
		change func(h http.Header)
		reason string
	}{
		{"no sender", func(h http.Header) { h.Del(HeaderSender) }, "no LM-Sender"},
		{"two senders", func(h http.Header) { h.Add(HeaderSender, f.aDID.String()) }, "2 LM-Sender"},
		{"sender not a DID", func(h http.Header) { h.Set(HeaderSender, "did:lm:org/orga") }, "not a node DID"},
		{"no timestamp", func(h http.Header) { h.Del(HeaderTimestamp) }, "no LM-Timestamp"},
		{"signed timestamp", func(h http.Header) { h.Set(HeaderTimestamp, "+"+h.Get(HeaderTimestamp)) }, "digits"},
		{"timestamp with fraction", func(h http.Header) { h.Set(HeaderTimestamp, h.Get(HeaderTimestamp)+".5") }, "digits"},
		{"timestamp too long", func(h http.Header) { h.Set(HeaderTimestamp, strings.Repeat("9", 20)) }, "digits"},
		{"no content hash", func(h http.Header) { h.Del(HeaderContentSHA256) }, "no LM-Content-SHA256"},
		{"upper-case content hash", func(h http.Header) { h.Set(HeaderContentSHA256, strings.ToUpper(h.Get(HeaderContentSHA256))) }, "hex"},
		{"no signature", func(h http.Header) { h.Del(HeaderSignature) }, "no LM-Signature"},
		{"signature not base64", func(h http.Header) { h.Set(HeaderSignature, strings.Repeat("!", 88)) }, "base64"},
		{"signature unpadded", func(h http.Header) { h.Set(HeaderSignature, strings.TrimRight(h.Get(HeaderSignature), "=")) }, "88 characters"},
		{"signature in the url-safe alphabet", func(h http.Header) { h.Set(HeaderSignature, "-_"+h.Get(HeaderSignature)[2:]) }, "base64"},
		{"timestamp changed after signing", func(h http.Header) { h.Set(HeaderTimestamp, fmt.Sprint(time.Now().Unix()-1)) }, "signature"},
		{"sender changed after signing", func(h http.Header) { h.Set(HeaderSender, "did:lm:node/orga/node2") }, "unknown sender"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.inbox.reset()
			req := f.signedRequest(t, http.MethodPost, batchesPath, bytes.NewReader(body), protocol.SHA256(body))
			tc.change(req.Header)
			status, code := do(t, req)
			_, _, refusals := f.inbox.snapshot()
			assert.Equal(t, http.StatusUnauthorized, status)
			assert.Equal(t, "LM10401", code)
			require.Len(t, refusals, 1)
			assert.Contains(t, refusals[0].reason, tc.reason)
		})
	}
	batches, _, _ := f.inbox.snapshot()
	assert.Empty(t, batches)
}

func TestServerRefusesABodyThatIsNotTheSignedOne(t *testing.T) {
	f := newFixture(t, ServerConfig{})
	signed := []byte(`{"namespace":"default","manifest":{},"messages":[],"data":[]}`)
	sent := []byte(`{"namespace":"default","manifest":{"evil":1},"messages":[],"data":[]}`)
	status, _ := do(t, f.signedRequest(t, http.MethodPost, batchesPath, bytes.NewReader(sent), protocol.SHA256(signed)))
	assert.Equal(t, http.StatusUnauthorized, status)
	batches, _, refusals := f.inbox.snapshot()
	assert.Empty(t, batches)
	require.Len(t, refusals, 1)
	assert.Equal(t, f.aDID.String(), refusals[0].claimed)
	assert.Contains(t, refusals[0].reason, "does not hash")
}

func TestServerBatchLimits(t *testing.T) {
	f := newFixture(t, ServerConfig{MaxBatchBytes: 100})
	big := sampleEnvelope()
	big.Messages = append(big.Messages, []byte(`{"padding":"`+strings.Repeat("x", 100)+`"}`))
	err := f.client.SendBatch(context.Background(), f.peer, big)
	pe, ok := peerError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, http.StatusRequestEntityTooLarge, pe.Status)

	// Without a Content-Length the limit holds all the same.
	body := bytes.Repeat([]byte(" "), 200)
	req := f.signedRequest(t, http.MethodPost, batchesPath, io.MultiReader(bytes.NewReader(body)), protocol.SHA256(body))
	req.ContentLength = -1
	status, code := do(t, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, status)
	assert.Equal(t, "LM10413", code)
	batches, _, refusals := f.inbox.snapshot()
	assert.Empty(t, batches)
	assert.Empty(t, refusals, "too large is not an authentication failure")
}

func TestServerRejectsMalformedEnvelopes(t *testing.T) {
	f := newFixture(t, ServerConfig{})
	for _, body := range []string{
		``,
		`[]`,
		`null`,
		`{"namespace":"default","manifest":{},"messages":[],"data":[],"extra":1}`,
		`{"namespace":"default","manifest":{},"messages":[],"data":[]} {}`,
		`{"namespace":"default","manifest":{},"messages":[],"data":[]}x`,
		`{"namespace":"default","manifest":{},"messages":[],"data":[]`,
		`{"namespace":"default","namespace":"other","manifest":{},"messages":[],"data":[]}`,
		`{"Namespace":"default","manifest":{},"messages":[],"data":[]}`,
		`{"manifest":{},"messages":[],"data":[]}`,
		`{"namespace":"default","messages":[],"data":[]}`,
		`{"namespace":"default","manifest":{},"data":[]}`,
		`{"namespace":"default","manifest":{},"messages":[]}`,
		`{"namespace":"","manifest":{},"messages":[],"data":[]}`,
		`{"namespace":"no spaces","manifest":{},"messages":[],"data":[]}`,
		`{"namespace":null,"manifest":{},"messages":[],"data":[]}`,
		`{"namespace":1,"manifest":{},"messages":[],"data":[]}`,
		`{"namespace":"default","manifest":[],"messages":[],"data":[]}`,
		`{"namespace":"default","manifest":null,"messages":[],"data":[]}`,
		`{"namespace":"default","manifest":{},"messages":null,"data":[]}`,
		`{"namespace":"default","manifest":{},"messages":[null],"data":[]}`,
		`{"namespace":"default","manifest":{},"messages":[1],"data":[]}`,
		`{"namespace":"default","manifest":{},"messages":[],"data":{}}`,
		`{"namespace":"default","manifest":{},"messages":[],"data":[],"group":null}`,
		`{"namespace":"default","manifest":{},"messages":[],"data":[],"group":"g"}`,
		`{"namespace":"default","manifest":{},"messages":[],"data":[],"payloadRef":null}`,
		`{"namespace":"default","manifest":{},"messages":[],"data":[],"payloadRef":7}`,
		"{\"namespace\":\"default\",\"manifest\":{\"x\":\"\xff\"},\"messages\":[],\"data\":[]}",
	} {
		status, code := do(t, f.signedRequest(t, http.MethodPost, batchesPath, strings.NewReader(body), protocol.SHA256([]byte(body))))
		assert.Equal(t, http.StatusBadRequest, status, "%q", body)
		assert.Equal(t, "LM10400", code, "%q", body)
	}
	batches, _, refusals := f.inbox.snapshot()
	assert.Empty(t, batches)
	assert.Empty(t, refusals)

	good := ` {"data":[],"messages":[{}],"manifest":{"a":[1]},"namespace":"ns.1_a-b","group":{},"payloadRef":""} ` + "\n"
	status, _ := do(t, f.signedRequest(t, http.MethodPost, batchesPath, strings.NewReader(good), protocol.SHA256([]byte(good))))
	assert.Equal(t, http.StatusNoContent, status)
}

func TestServerMapsInboxErrors(t *testing.T) {
	cases := []struct {
		err    error
		status int
	}{
		{fmt.Errorf("%w: bad manifest", messaging.ErrInvalidInput), http.StatusBadRequest},
		{fmt.Errorf("%w: other", messaging.ErrUnknownNamespace), http.StatusNotFound},
		{messaging.ErrNotReady, http.StatusServiceUnavailable},
		{fmt.Errorf("disk full"), http.StatusInternalServerError},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			f := newFixture(t, ServerConfig{})
			f.inbox.mu.Lock()
			f.inbox.batchErr, f.inbox.blobErr = tc.err, tc.err
			f.inbox.mu.Unlock()
			err := f.client.SendBatch(context.Background(), f.peer, sampleEnvelope())
			blob := []byte("blob")
			blobErr := f.client.SendBlob(context.Background(), f.peer, "default", protocol.SHA256(blob), int64(len(blob)), opener(blob))
			for _, err := range []error{err, blobErr} {
				require.Error(t, err)
				pe, isPeerError := peerError(err)
				assert.Equal(t, tc.status < 500, isPeerError, "%v", err)
				if isPeerError {
					assert.Equal(t, tc.status, pe.Status)
				} else {
					assert.Contains(t, err.Error(), fmt.Sprint(tc.status))
					assert.NotContains(t, err.Error(), "disk full", "internal errors stay inside")
				}
			}
		})
	}
}

func opener(b []byte) func() (io.ReadCloser, error) {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

func TestServerReceivesBlobs(t *testing.T) {
	f := newFixture(t, ServerConfig{})
	for _, size := range []int{0, 1, 100_000, 3 << 20} {
		blob := bytes.Repeat([]byte{byte(size)}, size)
		h := protocol.SHA256(blob)
		require.NoError(t, f.client.SendBlob(context.Background(), f.peer, "ns1", h, int64(size), opener(blob)), size)
		_, blobs, _ := f.inbox.snapshot()
		assert.Equal(t, receivedBlob{f.aDID, "ns1", h, int64(size)}, blobs[len(blobs)-1])
	}
}

func TestServerRefusesBadBlobs(t *testing.T) {
	blob := []byte("the real blob")
	h := protocol.SHA256(blob)
	t.Run("tampered", func(t *testing.T) {
		f := newFixture(t, ServerConfig{})
		forged := []byte("a forged blob")
		err := f.client.SendBlob(context.Background(), f.peer, "default", h, int64(len(forged)), opener(forged))
		pe, ok := peerError(err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, http.StatusUnauthorized, pe.Status)
		_, blobs, refusals := f.inbox.snapshot()
		assert.Empty(t, blobs)
		require.Len(t, refusals, 1)
		assert.Contains(t, refusals[0].reason, "does not hash")
		readErrs := f.inbox.readErrors()
		require.Len(t, readErrs, 1, "the inbox saw the read fail, never a clean end")
		assert.ErrorIs(t, readErrs[0], messaging.ErrInvalidInput)
	})
	t.Run("path hash is not the declared one", func(t *testing.T) {
		f := newFixture(t, ServerConfig{})
		other := protocol.SHA256([]byte("other"))
		status, _ := do(t, f.signedRequest(t, http.MethodPut, blobsPath+"default/"+other.String(), bytes.NewReader(blob), h))
		assert.Equal(t, http.StatusBadRequest, status)
	})
	t.Run("bad namespace", func(t *testing.T) {
		f := newFixture(t, ServerConfig{})
		status, _ := do(t, f.signedRequest(t, http.MethodPut, blobsPath+"-x/"+h.String(), bytes.NewReader(blob), h))
		assert.Equal(t, http.StatusBadRequest, status)
	})
	t.Run("path changed after signing", func(t *testing.T) {
		f := newFixture(t, ServerConfig{})
		req := f.signedRequest(t, http.MethodPut, blobsPath+"default/"+h.String(), bytes.NewReader(blob), h)
		req.URL.Path = blobsPath + "other/" + h.String()
		status, _ := do(t, req)
		assert.Equal(t, http.StatusUnauthorized, status)
	})
	t.Run("too large", func(t *testing.T) {
		f := newFixture(t, ServerConfig{MaxBlobBytes: 5})
		err := f.client.SendBlob(context.Background(), f.peer, "default", h, int64(len(blob)), opener(blob))
		pe, ok := peerError(err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, http.StatusRequestEntityTooLarge, pe.Status)

		req := f.signedRequest(t, http.MethodPut, blobsPath+"default/"+h.String(), io.MultiReader(bytes.NewReader(blob)), h)
		req.ContentLength = -1
		status, _ := do(t, req)
		assert.Equal(t, http.StatusRequestEntityTooLarge, status, "chunked")
		_, blobs, refusals := f.inbox.snapshot()
		assert.Empty(t, blobs)
		assert.Empty(t, refusals)
	})
}

func TestServerUnknownSenderBlobIsNotRead(t *testing.T) {
	f := newFixture(t, ServerConfig{})
	stranger := f.newClient(t, did(t, "did:lm:node/orgc/node1"), newKey(t))
	read := make(chan struct{}, 1)
	open := func() (io.ReadCloser, error) {
		return io.NopCloser(readFunc(func(p []byte) (int, error) {
			select {
			case read <- struct{}{}:
			default:
			}
			return 0, io.EOF
		})), nil
	}
	err := stranger.SendBlob(context.Background(), f.peer, "default", protocol.SHA256([]byte("x")), 1<<30, open)
	pe, ok := peerError(err)
	require.True(t, ok, "%v", err)
	assert.Equal(t, http.StatusUnauthorized, pe.Status)
	assert.Empty(t, read, "Expect: 100-continue spared the upload")
}

type readFunc func([]byte) (int, error)

func (f readFunc) Read(p []byte) (int, error) { return f(p) }

func TestServerHealthAndRoutes(t *testing.T) {
	f := newFixture(t, ServerConfig{})
	resp, err := http.Get(f.http.URL + healthPath)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	resp, err = http.Get(f.http.URL + batchesPath)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
}

func TestNewServerValidates(t *testing.T) {
	_, err := NewServer(ServerConfig{}, &fakeInbox{}, nil, discardLog())
	assert.ErrorContains(t, err, "node")
	_, err = NewServer(ServerConfig{Node: "did:lm:node/a/b"}, nil, nil, discardLog())
	assert.ErrorContains(t, err, "inbox")
	_, err = NewClient(ClientConfig{}, protocol.NodeDID{}, newKey(t))
	assert.Error(t, err)
	_, err = NewClient(ClientConfig{}, did(t, "did:lm:node/a/b"), ed25519.PrivateKey{1, 2})
	assert.Error(t, err)
}
