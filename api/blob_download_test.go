package api

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections"
)

func TestDownloadBlob(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	rec := get(s.Handler(), nsURL(rm.ns, "data/"+rm.withBlob.String()+"/blob"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, rm.blob, rec.Body.Bytes())
	assert.Equal(t, "application/octet-stream", rec.Header().Get("Content-Type"))
	assert.Equal(t, strconv.Itoa(len(rm.blob)), rec.Header().Get("Content-Length"))
	assert.Equal(t, "nosniff", rec.Header().Get("X-Content-Type-Options"))
	disposition, params, err := mime.ParseMediaType(rec.Header().Get("Content-Disposition"))
	require.NoError(t, err)
	assert.Equal(t, "attachment", disposition)
	assert.Equal(t, rm.blobName, params["filename"], "a name that is not ASCII survives (RFC 2231)")
}

// TestDownloadBlobNotThere: 404 for an unknown item, an item without a blob
// and a blob that has not arrived.
func TestDownloadBlobNotThere(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()
	requireError(t, get(h, nsURL(rm.ns, "data/"+uuid.NewString()+"/blob")), http.StatusNotFound, CodeNotFound)

	plain := rm.sentData[1]
	body := requireError(t, get(h, nsURL(rm.ns, "data/"+plain.String()+"/blob")), http.StatusNotFound, CodeNotFound)
	assert.Contains(t, body.Message, "has no blob")

	// A received item whose blob this fake store does not have.
	doc := rm.first(t, projections.DataTable, url.Values{"blob": {"!" + protocol.SHA256(rm.blob).String()}, "blob_size": {">=0"}})
	requireError(t, get(h, nsURL(rm.ns, "data/"+doc["id"].(string)+"/blob")), http.StatusNotFound, CodeNotFound)

	requireError(t, get(h, nsURL(rm.ns, "data/nope/blob")), http.StatusBadRequest, CodeInvalidInput)
}

func TestDownloadBlobWithoutBlobStore(t *testing.T) {
	rm := sharedReadModel(t)
	h := New(Config{}, &fakeBackend{}, zerolog.Nop(), WithReadModel(rm.store)).Handler()
	requireError(t, get(h, nsURL(rm.ns, "data/"+rm.withBlob.String()+"/blob")), http.StatusServiceUnavailable, CodeNotReady)
}

// failingBlobs opens blobs that fail half-way.
type failingBlobs struct{}

func (failingBlobs) OpenBlob(context.Context, string, protocol.Hash) (io.ReadCloser, int64, error) {
	return io.NopCloser(io.MultiReader(io.LimitReader(zeros{}, 10), errReader{})), 100, nil
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errors.New("disk gone") }

// TestDownloadBlobFailsMidway: once the bytes started, a failure can only
// cut the answer short (the client sees fewer bytes than Content-Length).
func TestDownloadBlobFailsMidway(t *testing.T) {
	rm := sharedReadModel(t)
	h := New(Config{}, &fakeBackend{}, zerolog.Nop(), WithReadModel(rm.store), WithBlobs(failingBlobs{})).Handler()
	rec := get(h, nsURL(rm.ns, "data/"+rm.withBlob.String()+"/blob"))
	assert.Equal(t, http.StatusOK, rec.Code)
	assert.Equal(t, "100", rec.Header().Get("Content-Length"))
	assert.Len(t, rec.Body.Bytes(), 10)
}
