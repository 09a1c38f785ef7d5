package local

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// node is one shared storage behind an HTTP server that serves it the way
// the data-exchange server does, with a hook to misbehave.
type node struct {
	store    *SharedStorage
	server   *httptest.Server
	requests atomic.Int32
	// serve, when set, answers instead of the store.
	serve func(w http.ResponseWriter, r *http.Request)
}

func newNode(t *testing.T, cfg Config) *node {
	t.Helper()
	n := &node{}
	n.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.requests.Add(1)
		if n.serve != nil {
			n.serve(w, r)
			return
		}
		h, err := protocol.ParseHash(strings.TrimPrefix(r.URL.Path, StoragePath))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		f, err := n.store.Open(h)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		_, _ = io.Copy(w, f)
	}))
	t.Cleanup(n.server.Close)
	cfg.Dir = filepath.Join(t.TempDir(), "shared")
	cfg.PublicURL = n.server.URL + "/"
	s, err := NewSharedStorage(cfg)
	require.NoError(t, err)
	t.Cleanup(s.Close)
	n.store = s
	return n
}

func TestSharedStoragePutGetLocal(t *testing.T) {
	n := newNode(t, Config{})
	ctx := context.Background()
	payload := []byte(`{"batch":1}`)
	ref, err := n.store.Put(ctx, payload)
	require.NoError(t, err)
	assert.Equal(t, n.server.URL+"/dx/v1/storage/"+protocol.SHA256(payload).String(), ref)

	again, err := n.store.Put(ctx, payload)
	require.NoError(t, err)
	assert.Equal(t, ref, again, "same bytes, same reference")

	got, err := n.store.Get(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, payload, got)
	assert.Zero(t, n.requests.Load(), "local content is read locally")
	assert.True(t, n.store.Has(protocol.SHA256(payload)))
}

func TestSharedStorageGetRemote(t *testing.T) {
	a, b := newNode(t, Config{}), newNode(t, Config{})
	ctx := context.Background()
	payload := bytes.Repeat([]byte("broadcast "), 10_000)
	ref, err := a.store.Put(ctx, payload)
	require.NoError(t, err)

	got, err := b.store.Get(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, payload, got)
	assert.Equal(t, int32(1), a.requests.Load())
	assert.True(t, b.store.Has(protocol.SHA256(payload)), "a fetched payload is kept")

	got, err = b.store.Get(ctx, ref)
	require.NoError(t, err)
	assert.Equal(t, payload, got)
	assert.Equal(t, int32(1), a.requests.Load(), "fetched once")

	// b can now serve it under its own reference.
	c := newNode(t, Config{})
	got, err = c.store.Get(ctx, b.store.Ref(protocol.SHA256(payload)))
	require.NoError(t, err)
	assert.Equal(t, payload, got)
}

func TestSharedStorageRemoteFailures(t *testing.T) {
	payload := []byte("the real payload")
	hash := protocol.SHA256(payload)
	cases := []struct {
		name  string
		serve func(w http.ResponseWriter, r *http.Request)
		cfg   Config
		err   error // nil: a plain (retryable) error
	}{
		{"tampered", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("a forged payload")) }, Config{}, messaging.ErrBlobMismatch},
		{"not found", http.NotFound, Config{}, messaging.ErrNotFound},
		{"server error", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadGateway) }, Config{}, nil},
		{"redirect not followed", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.1:1/elsewhere/"+hash.String(), http.StatusFound)
		}, Config{}, nil},
		{"too large by length", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(payload) }, Config{MaxPayloadBytes: 4}, messaging.ErrTooLarge},
		{"too large streamed", func(w http.ResponseWriter, _ *http.Request) {
			w.(http.Flusher).Flush() // no Content-Length
			_, _ = w.Write(payload)
		}, Config{MaxPayloadBytes: 4}, messaging.ErrTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			remote, self := newNode(t, Config{}), newNode(t, tc.cfg)
			remote.serve = tc.serve
			_, err := self.store.Get(context.Background(), remote.store.Ref(hash))
			require.Error(t, err)
			for _, sentinel := range []error{messaging.ErrBlobMismatch, messaging.ErrNotFound, messaging.ErrTooLarge, messaging.ErrInvalidInput} {
				assert.Equal(t, errors.Is(tc.err, sentinel), errors.Is(err, sentinel), "%v is %v", err, sentinel)
			}
			assert.False(t, self.store.Has(hash), "nothing kept")
		})
	}
}

func TestSharedStorageRemoteDown(t *testing.T) {
	self := newNode(t, Config{})
	_, err := self.store.Get(context.Background(), "http://127.0.0.1:1/dx/v1/storage/"+protocol.SHA256([]byte("x")).String())
	require.Error(t, err)
	assert.NotErrorIs(t, err, messaging.ErrNotFound)
	assert.NotErrorIs(t, err, messaging.ErrInvalidInput)
}

func TestSharedStorageInvalidRefs(t *testing.T) {
	self := newNode(t, Config{})
	hex := protocol.SHA256([]byte("x")).String()
	for _, ref := range []string{
		"",
		hex,
		"ftp://host/" + hex,
		"http:///" + hex,
		"http://host/" + strings.ToUpper(hex),
		"http://host/" + hex[:63],
		"http://host/" + hex + "/",
		"http://host/" + hex + "?x=1",
		"http://host/" + hex + "#frag",
		"http://user:pw@host/" + hex,
		"http://host/%" + hex,
		"ipfs://" + hex,
		"shared:" + hex,
	} {
		_, err := self.store.Get(context.Background(), ref)
		assert.ErrorIs(t, err, messaging.ErrInvalidInput, "%q", ref)
	}
	for _, ref := range []string{"http://host/" + hex, "https://host:8443/base/path/" + hex, "HTTP://host/x/" + hex} {
		_, h, err := parseRef(ref)
		assert.NoError(t, err, ref)
		assert.Equal(t, hex, h.String())
	}
}

func TestSharedStoragePutTooLarge(t *testing.T) {
	n := newNode(t, Config{MaxPayloadBytes: 3})
	_, err := n.store.Put(context.Background(), []byte("four"))
	assert.ErrorIs(t, err, messaging.ErrTooLarge)
	ref, err := n.store.Put(context.Background(), []byte("ok!"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(ref, n.server.URL+StoragePath))
}
