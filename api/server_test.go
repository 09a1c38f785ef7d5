package api

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

func TestConfigDefaults(t *testing.T) {
	var c Config
	c.SetDefaults()
	assert.Equal(t, Config{Listen: "127.0.0.1:5000", MaxBodyBytes: 1 << 20, MaxBlobBytes: 1 << 30,
		ConfirmTimeout: 30 * time.Second}, c)
	require.NoError(t, c.Validate())

	set := Config{Listen: ":8080", MaxBodyBytes: 5, MaxBlobBytes: 6, ConfirmTimeout: time.Second}
	kept := set
	kept.SetDefaults()
	assert.Equal(t, set, kept, "SetDefaults keeps what is set")
}

func TestConfigValidate(t *testing.T) {
	err := Config{Listen: "nonsense", MaxBodyBytes: -1, MaxBlobBytes: -1, ConfirmTimeout: -time.Second}.Validate()
	require.Error(t, err)
	for _, key := range []string{"listen", "maxBodyBytes", "maxBlobBytes", "confirmTimeout"} {
		assert.Contains(t, err.Error(), key)
	}
}

func TestServeAndShutdown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := New(Config{}, &fakeBackend{}, zerolog.Nop())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	resp, err := http.Get("http://" + ln.Addr().String() + "/api/v1/status")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)

	require.NoError(t, s.Shutdown(context.Background()))
	require.NoError(t, <-served)
}

// TestShutdownEndsConfirmWaits: a ?confirm=true request in flight answers
// 202 at once when the server shuts down, rather than holding the shutdown
// up for ConfirmTimeout.
func TestShutdownEndsConfirmWaits(t *testing.T) {
	waiting := make(chan struct{})
	fb := &fakeBackend{awaitDecision: func(ctx context.Context, _ uuid.UUID) (messaging.MessageView, error) {
		close(waiting)
		<-ctx.Done()
		return messaging.MessageView{}, ctx.Err()
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := New(Config{ConfirmTimeout: time.Hour}, fb, zerolog.Nop())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()

	answered := make(chan int, 1)
	go func() {
		resp, err := http.Post("http://"+ln.Addr().String()+broadcastURL+"?confirm=true",
			"application/json", strings.NewReader(`{"data":[{"value":1}]}`))
		if err != nil {
			answered <- 0
			return
		}
		_ = resp.Body.Close()
		answered <- resp.StatusCode
	}()
	<-waiting

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, s.Shutdown(ctx))
	assert.Equal(t, http.StatusAccepted, <-answered)
	require.NoError(t, <-served)
}

func TestRun(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close()) // Run listens itself; the port is very likely still free

	s := New(Config{Listen: addr}, &fakeBackend{}, zerolog.Nop())
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- s.Run(ctx) }()

	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/api/v1/status")
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 5*time.Second, 10*time.Millisecond)

	cancel()
	select {
	case err := <-ran:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
}

func TestRunListenError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()

	s := New(Config{Listen: ln.Addr().String()}, &fakeBackend{}, zerolog.Nop())
	err = s.Run(context.Background())
	require.Error(t, err, "the port is taken")
	assert.Contains(t, err.Error(), fmt.Sprintf("listen on %s", ln.Addr()))
}

func TestServersAreIndependent(t *testing.T) {
	a, b := &fakeBackend{}, &fakeBackend{}
	ha, hb := New(Config{}, a, zerolog.Nop()).Handler(), New(Config{}, b, zerolog.Nop()).Handler()
	request(ha, http.MethodGet, "/api/v1/namespaces/one/digests", "", nil)
	request(hb, http.MethodGet, "/api/v1/namespaces/two/digests", "", nil)
	assert.Equal(t, "one", a.ns)
	assert.Equal(t, "two", b.ns)
}
