package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/webhook"
)

func TestSignIsHMACSHA256OfTheBody(t *testing.T) {
	secret, body := []byte("0123456789abcdef"), []byte(`{"id":"x","sequence":7}`)
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	assert.Equal(t, want, webhook.Sign(secret, body))
	assert.True(t, webhook.Verify(secret, body, want))
	assert.False(t, webhook.Verify(secret, append(body, ' '), want), "another body")
	assert.False(t, webhook.Verify([]byte("another secret!!"), body, want), "another secret")
	assert.False(t, webhook.Verify(secret, body, want[len("sha256="):]), "no scheme")
	assert.False(t, webhook.Verify(secret, body, "sha256=zz"), "not hex")
}

func TestPostSendsTheSignedEvent(t *testing.T) {
	secret := []byte("0123456789abcdef")
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	c := webhook.New(webhook.Config{})
	body := []byte(`{"id":"e1","type":"message_confirmed"}`)
	require.NoError(t, c.Post(context.Background(), webhook.Request{URL: srv.URL, Secret: secret, EventID: "e1",
		Sequence: 9, Type: "message_confirmed", Subscription: "default/hook", Body: body}))
	r, b := <-got, <-bodies
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, body, b)
	assert.Equal(t, "application/json", r.Header.Get("Content-Type"))
	assert.True(t, webhook.Verify(secret, b, r.Header.Get(webhook.HeaderSignature)))
	assert.Equal(t, "e1", r.Header.Get(webhook.HeaderEventID))
	assert.Equal(t, "9", r.Header.Get(webhook.HeaderSequence))
	assert.Equal(t, "message_confirmed", r.Header.Get(webhook.HeaderEventType))
	assert.Equal(t, "default/hook", r.Header.Get(webhook.HeaderSubscription))
}

func TestPostFailures(t *testing.T) {
	for name, c := range map[string]struct {
		handler http.HandlerFunc
		status  int
	}{
		"server error": {handler: func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
		}, status: http.StatusServiceUnavailable},
		"redirect is not followed": {handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://elsewhere.invalid/", http.StatusFound)
		}, status: http.StatusFound},
		"client error": {handler: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadRequest) },
			status: http.StatusBadRequest},
	} {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			err := webhook.New(webhook.Config{}).Post(context.Background(), webhook.Request{URL: srv.URL, Body: []byte(`{}`)})
			var se *webhook.StatusError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, c.status, se.Status)
		})
	}
	t.Run("timeout", func(t *testing.T) {
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
		defer srv.Close()
		defer close(release)
		err := webhook.New(webhook.Config{Timeout: 50 * time.Millisecond}).Post(context.Background(),
			webhook.Request{URL: srv.URL, Body: []byte(`{}`)})
		require.Error(t, err)
	})
	t.Run("refused", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		url := srv.URL
		srv.Close()
		assert.Error(t, webhook.New(webhook.Config{}).Post(context.Background(), webhook.Request{URL: url, Body: []byte(`{}`)}))
	})
}
