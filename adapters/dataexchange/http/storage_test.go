package http

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/sharedstorage/local"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func discardLog() zerolog.Logger { return zerolog.Nop() }

// TestServerServesSharedStorage runs two nodes' shared storages behind their
// servers: what one puts, the other gets by reference.
func TestServerServesSharedStorage(t *testing.T) {
	type node struct {
		storage *local.SharedStorage
		url     string
	}
	start := func(name string) node {
		var handler http.Handler
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
		t.Cleanup(srv.Close)
		storage, err := local.NewSharedStorage(local.Config{Dir: filepath.Join(t.TempDir(), name), PublicURL: srv.URL})
		require.NoError(t, err)
		t.Cleanup(storage.Close)
		s, err := NewServer(ServerConfig{Node: "did:lm:node/org/" + name}, &fakeInbox{}, storage, discardLog())
		require.NoError(t, err)
		handler = s
		return node{storage, srv.URL}
	}
	a, b := start("a"), start("b")
	payload := []byte(`{"broadcast":"batch"}`)
	ref, err := a.storage.Put(context.Background(), payload)
	require.NoError(t, err)
	got, err := b.storage.Get(context.Background(), ref)
	require.NoError(t, err)
	assert.Equal(t, payload, got)

	h := protocol.SHA256(payload)
	for _, tc := range []struct {
		method, path string
		status       int
		body         string
	}{
		{http.MethodGet, storagePath + h.String(), http.StatusOK, string(payload)},
		{http.MethodHead, storagePath + h.String(), http.StatusOK, ""},
		{http.MethodGet, storagePath + protocol.SHA256([]byte("absent")).String(), http.StatusNotFound, ""},
		{http.MethodGet, storagePath + "not-a-hash", http.StatusNotFound, ""},
		{http.MethodPut, storagePath + h.String(), http.StatusMethodNotAllowed, ""},
	} {
		req, err := http.NewRequest(tc.method, a.url+tc.path, nil)
		require.NoError(t, err)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		assert.Equal(t, tc.status, resp.StatusCode, "%s %s", tc.method, tc.path)
		if tc.status == http.StatusOK {
			assert.Equal(t, tc.body, string(body))
			assert.Equal(t, `"`+h.String()+`"`, resp.Header.Get("ETag"))
		}
	}

	// A server without a local shared storage has nothing to serve.
	s, err := NewServer(ServerConfig{Node: "did:lm:node/org/c"}, &fakeInbox{}, nil, discardLog())
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, storagePath+h.String(), nil))
	assert.Equal(t, http.StatusNotFound, rec.Code)
}
