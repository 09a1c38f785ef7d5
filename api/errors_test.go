package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

func TestSentinelErrors(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{messaging.ErrInvalidInput, 400, CodeInvalidInput},
		{messaging.ErrNotFound, 404, CodeNotFound},
		{messaging.ErrConflict, 409, CodeConflict},
		{messaging.ErrUnknownNamespace, 404, CodeUnknownNamespace},
		{messaging.ErrTooLarge, 413, CodeTooLarge},
		{messaging.ErrNotReady, 503, CodeNotReady},
		// Precedence when one error wraps two sentinels.
		{errors.Join(messaging.ErrNotFound, messaging.ErrUnknownNamespace), 404, CodeUnknownNamespace},
	}
	for _, tt := range tests {
		t.Run(tt.err.Error(), func(t *testing.T) {
			wrapped := fmt.Errorf("message 42: %w", tt.err)
			fb := &fakeBackend{message: func(context.Context, uuid.UUID) (messaging.MessageView, error) {
				return messaging.MessageView{}, wrapped
			}}
			rec := request(newTestServer(fb).Handler(), http.MethodGet,
				"/api/v1/namespaces/ns1/messages/"+uuid.NewString(), "", nil)
			body := requireError(t, rec, tt.status, tt.code)
			assert.Equal(t, wrapped.Error(), body.Message, "the detail the backend gives reaches the client")
		})
	}
}

func TestInternalErrorIsLoggedNotLeaked(t *testing.T) {
	var logs bytes.Buffer
	fb := &fakeBackend{digests: func() (messaging.Digests, error) {
		return messaging.Digests{}, errors.New("open /var/lib/secret.db: permission denied")
	}}
	s := New(Config{}, fb, zerolog.New(&logs))

	rec := request(s.Handler(), http.MethodGet, "/api/v1/namespaces/ns1/digests", "", nil)

	body := requireError(t, rec, http.StatusInternalServerError, CodeInternal)
	assert.Equal(t, "internal error", body.Message)
	assert.NotContains(t, rec.Body.String(), "secret")
	assert.Contains(t, logs.String(), "secret.db")
}

func TestPanicBecomes500(t *testing.T) {
	var logs bytes.Buffer
	fb := &fakeBackend{status: func() (messaging.Status, error) { panic("boom") }}
	s := New(Config{}, fb, zerolog.New(&logs))

	rec := request(s.Handler(), http.MethodGet, "/api/v1/status", "", nil)

	body := requireError(t, rec, http.StatusInternalServerError, CodeInternal)
	assert.Equal(t, "internal error", body.Message)
	assert.Contains(t, logs.String(), "panic: boom")
	assert.Contains(t, logs.String(), "stack")

	// The server goes on serving.
	fb.status = nil
	assert.Equal(t, http.StatusOK, request(s.Handler(), http.MethodGet, "/api/v1/status", "", nil).Code)
}

func TestAbortHandlerPanicPropagates(t *testing.T) {
	fb := &fakeBackend{status: func() (messaging.Status, error) { panic(http.ErrAbortHandler) }}
	h := newTestServer(fb).Handler()
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() {
		request(h, http.MethodGet, "/api/v1/status", "", nil)
	})
}

func TestRoutingErrors(t *testing.T) {
	h := newTestServer(&fakeBackend{}).Handler()

	requireError(t, request(h, http.MethodGet, "/api/v1/nothing", "", nil), http.StatusNotFound, CodeNotFound)
	requireError(t, request(h, http.MethodGet, "/", "", nil), http.StatusNotFound, CodeNotFound)
	requireError(t, request(h, http.MethodPut, "/api/v1/status", "", nil), http.StatusMethodNotAllowed, CodeMethodNotAllowed)
	requireError(t, request(h, http.MethodDelete, datatypesURL, "", nil), http.StatusMethodNotAllowed, CodeMethodNotAllowed)
	// A sending route answers GET as a message lookup whose id is not a UUID.
	requireError(t, request(h, http.MethodGet, broadcastURL, "", nil), http.StatusBadRequest, CodeInvalidInput)
}

func TestHeadErrorHasNoBody(t *testing.T) {
	rec := request(newTestServer(&fakeBackend{}).Handler(), http.MethodHead, "/api/v1/nothing", "", nil)
	assert.Equal(t, http.StatusNotFound, rec.Code)
	assert.Empty(t, rec.Body.String())
}

func TestDescribeEchoErrors(t *testing.T) {
	req := httptest.NewRequest(http.MethodGet, "/x", nil)
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{echo.NewHTTPError(http.StatusUnauthorized, "who are you"), 401, "LM10401"},
		{echo.NewHTTPError(http.StatusRequestEntityTooLarge), 413, CodeTooLarge},
		{echo.NewHTTPError(http.StatusBadGateway, "upstream 10.0.0.1"), 500, CodeInternal},
		{echo.NewHTTPError(http.StatusInternalServerError).SetInternal(echo.NewHTTPError(http.StatusForbidden)),
			403, "LM10403"},
		{&http.MaxBytesError{Limit: 5}, 413, CodeTooLarge},
		{fmt.Errorf("%w: x", errUnsupportedMediaType), 415, CodeUnsupportedMediaType},
		{context.DeadlineExceeded, 500, CodeInternal},
		{fmt.Errorf("appending: %w: the disk is full: /10.0.0.1/events.db", event.ErrStorageUnavailable), 503, CodeStorageUnavailable},
	}
	for _, tt := range tests {
		status, body := describe(tt.err, req)
		assert.Equal(t, tt.status, status, tt.err.Error())
		assert.Equal(t, tt.code, body.Code, tt.err.Error())
		assert.NotContains(t, body.Message, "10.0.0.1")
	}
}

func TestRequestsAreLoggedAtDebug(t *testing.T) {
	var logs bytes.Buffer
	s := New(Config{}, &fakeBackend{}, zerolog.New(&logs).Level(zerolog.DebugLevel))

	request(s.Handler(), http.MethodGet, "/api/v1/nothing", "", nil)

	line := logs.String()
	require.NotEmpty(t, line)
	assert.Contains(t, line, `"level":"debug"`)
	assert.Contains(t, line, `"method":"GET"`)
	assert.Contains(t, line, `"path":"/api/v1/nothing"`)
	assert.Contains(t, line, `"status":404`)
	assert.Contains(t, line, `"latency"`)
}
