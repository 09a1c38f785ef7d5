package api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func blobURL(id uuid.UUID) string { return "/api/v1/namespaces/ns1/data/" + id.String() + "/blob" }

// multipartBody builds a form with optional fields before the file part.
func multipartBody(t *testing.T, fileName string, file []byte, fields map[string]string) (*bytes.Buffer, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		require.NoError(t, mw.WriteField(k, v))
	}
	if file != nil {
		w, err := mw.CreateFormFile("file", fileName)
		require.NoError(t, err)
		_, err = w.Write(file)
		require.NoError(t, err)
	}
	require.NoError(t, mw.Close())
	return &buf, mw.FormDataContentType()
}

// TestUploadBlobStreams proves the handler streams: the backend reads the
// file's first bytes while the client has not yet sent the rest. A handler
// that buffered the body would wait for the end, and the writer would give
// up.
func TestUploadBlobStreams(t *testing.T) {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	firstRead := make(chan struct{})
	go func() {
		_ = mw.WriteField("note", "skipped")
		w, _ := mw.CreateFormFile("file", "report.pdf")
		_, _ = w.Write([]byte("first-"))
		select {
		case <-firstRead:
		case <-time.After(5 * time.Second):
			pw.CloseWithError(errors.New("the backend never saw the first bytes: the upload is not streamed"))
			return
		}
		_, _ = w.Write([]byte("second"))
		_ = mw.Close()
		_ = pw.Close()
	}()

	var got []byte
	fb := &fakeBackend{uploadBlob: func(_ context.Context, r io.Reader) (protocol.Data, error) {
		first := make([]byte, len("first-"))
		if _, err := io.ReadFull(r, first); err != nil {
			return protocol.Data{}, err
		}
		close(firstRead)
		rest, err := io.ReadAll(r)
		got = append(first, rest...)
		return newData(), err
	}}
	id := uuid.New()

	rec := request(newTestServer(fb).Handler(), http.MethodPost, blobURL(id), mw.FormDataContentType(), pr)

	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "first-second", string(got))
	assert.Equal(t, "report.pdf", fb.blobName)
	assert.Equal(t, id, fb.blobID)
	assert.Equal(t, "ns1", fb.ns)
	_, err := protocol.UnmarshalData(rec.Body.Bytes())
	assert.NoError(t, err)
}

func TestUploadBlobLimit(t *testing.T) {
	limit10 := func(c *Config) { c.MaxBlobBytes = 10 }

	t.Run("exactly the limit", func(t *testing.T) {
		fb := &fakeBackend{}
		body, ct := multipartBody(t, "a.bin", []byte("0123456789"), nil)
		rec := request(newTestServer(fb, limit10).Handler(), http.MethodPost, blobURL(uuid.New()), ct, body)
		require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
		assert.Equal(t, "0123456789", string(fb.blob))
	})
	t.Run("one byte over", func(t *testing.T) {
		fb := &fakeBackend{}
		body, ct := multipartBody(t, "a.bin", []byte("0123456789X"), nil)
		rec := request(newTestServer(fb, limit10).Handler(), http.MethodPost, blobURL(uuid.New()), ct, body)
		requireError(t, rec, http.StatusRequestEntityTooLarge, CodeTooLarge)
		assert.Nil(t, fb.blob, "the backend saw the read fail")
	})
	t.Run("over, and the backend hides the read error", func(t *testing.T) {
		fb := &fakeBackend{uploadBlob: func(_ context.Context, r io.Reader) (protocol.Data, error) {
			_, _ = io.Copy(io.Discard, r)
			return protocol.Data{}, errors.New("blob store: write failed")
		}}
		body, ct := multipartBody(t, "a.bin", bytes.Repeat([]byte("x"), 100), nil)
		rec := request(newTestServer(fb, limit10).Handler(), http.MethodPost, blobURL(uuid.New()), ct, body)
		requireError(t, rec, http.StatusRequestEntityTooLarge, CodeTooLarge)
	})
	t.Run("whole body over, declared", func(t *testing.T) {
		fb := &fakeBackend{}
		body, ct := multipartBody(t, "a.bin", []byte("x"), map[string]string{"pad": strings.Repeat("p", multipartOverhead)})
		rec := request(newTestServer(fb, limit10).Handler(), http.MethodPost, blobURL(uuid.New()), ct, body)
		requireError(t, rec, http.StatusRequestEntityTooLarge, CodeTooLarge)
		assert.Empty(t, fb.ns)
	})
	t.Run("whole body over, chunked", func(t *testing.T) {
		fb := &fakeBackend{}
		body, ct := multipartBody(t, "a.bin", []byte("x"), map[string]string{"pad": strings.Repeat("p", multipartOverhead)})
		rec := request(newTestServer(fb, limit10).Handler(), http.MethodPost, blobURL(uuid.New()), ct,
			struct{ io.Reader }{body})
		requireError(t, rec, http.StatusRequestEntityTooLarge, CodeTooLarge)
		assert.Empty(t, fb.ns)
	})
}

func TestUploadBlobRejects(t *testing.T) {
	id := uuid.New()
	noFile, noFileCT := multipartBody(t, "", nil, map[string]string{"other": "x"})
	withFile := func() (*bytes.Buffer, string) { return multipartBody(t, "a.txt", []byte("abc"), nil) }
	tests := []struct {
		name, url, contentType string
		body                   io.Reader
		status                 int
		code                   string
	}{
		{"no file part", blobURL(id), noFileCT, noFile, 400, CodeInvalidInput},
		{"not multipart", blobURL(id), "application/json", strings.NewReader("{}"), 415, CodeUnsupportedMediaType},
		{"no content type", blobURL(id), "", strings.NewReader("x"), 415, CodeUnsupportedMediaType},
		{"no boundary", blobURL(id), "multipart/form-data", strings.NewReader("x"), 400, CodeInvalidInput},
		{"garbage", blobURL(id), "multipart/form-data; boundary=zz", strings.NewReader("garbage"), 400, CodeInvalidInput},
		{"bad id", "/api/v1/namespaces/ns1/data/x/blob", "", nil, 400, CodeInvalidInput},
		{"bad namespace", "/api/v1/namespaces/n%20s/data/" + id.String() + "/blob", "", nil, 400, CodeInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := &fakeBackend{}
			body, ct := tt.body, tt.contentType
			if body == nil {
				body, ct = withFile()
			}
			rec := request(newTestServer(fb).Handler(), http.MethodPost, tt.url, ct, body)
			requireError(t, rec, tt.status, tt.code)
			assert.Empty(t, fb.ns, "the backend must not be called")
		})
	}

	t.Run("backend conflict", func(t *testing.T) {
		fb := &fakeBackend{uploadBlob: func(context.Context, io.Reader) (protocol.Data, error) {
			return protocol.Data{}, errors.Join(errors.New("data already has a blob"), messaging.ErrConflict)
		}}
		body, ct := withFile()
		rec := request(newTestServer(fb).Handler(), http.MethodPost, blobURL(id), ct, body)
		requireError(t, rec, http.StatusConflict, CodeConflict)
	})
}
