package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// fakeRebuilds runs no rebuild; it records what it was asked and answers
// as a generation.Set would.
type fakeRebuilds struct {
	mu      sync.Mutex
	status  generation.Status
	asked   []string
	known   []string
	failure error
}

func (f *fakeRebuilds) Start(projection string) (generation.Status, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked = append(f.asked, projection)
	switch {
	case f.failure != nil:
		return f.status, f.failure
	case f.status.State == generation.StateRunning:
		return f.status, generation.ErrRunning
	case projection != "" && !strings.Contains(strings.Join(f.known, ","), projection):
		return f.status, fmt.Errorf("%w %q", generation.ErrUnknownProjection, projection)
	}
	f.status = generation.Status{State: generation.StateRunning, Serving: 0, Generation: 1, Projection: projection, Head: 500}
	return f.status, nil
}

func (f *fakeRebuilds) Status() generation.Status {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.status
}

func TestRebuildRoutes(t *testing.T) {
	rb := &fakeRebuilds{status: generation.Status{State: generation.StateIdle}, known: []string{"messages.v2"}}
	h := New(Config{}, &fakeBackend{}, zerolog.Nop(), WithRebuild(rb)).Handler()

	rec := request(h, http.MethodGet, "/api/v1/admin/rebuild", "", nil)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "idle", decodeBody(t, rec)["state"])

	rec = request(h, http.MethodPost, "/api/v1/admin/rebuild?projection=messages.v2", "", nil)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	var st generation.Status
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st))
	assert.Equal(t, generation.StateRunning, st.State)
	assert.Equal(t, uint64(1), st.Generation)
	assert.Equal(t, "messages.v2", st.Projection)

	body := requireError(t, request(h, http.MethodPost, "/api/v1/admin/rebuild", "", nil), http.StatusConflict, CodeConflict)
	assert.Contains(t, body.Message, "already running")
	assert.Contains(t, body.Message, "generation 1")

	rec = request(h, http.MethodGet, "/api/v1/admin/rebuild", "", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	m := decodeBody(t, rec)
	assert.Equal(t, "running", m["state"])
	assert.InDelta(t, 500, m["head"], 0)
	assert.Equal(t, []string{"messages.v2", ""}, rb.asked)
}

func TestRebuildErrors(t *testing.T) {
	rb := &fakeRebuilds{status: generation.Status{State: generation.StateIdle}, known: []string{"messages.v2"}}
	h := New(Config{}, &fakeBackend{}, zerolog.Nop(), WithRebuild(rb)).Handler()
	for target, want := range map[string]string{
		"/api/v1/admin/rebuild?projection=nope.v1":                    "no such projection",
		"/api/v1/admin/rebuild?projection=":                           "projection is empty",
		"/api/v1/admin/rebuild?projection=a&projection=b":             "2 times",
		"/api/v1/admin/rebuild?all=true":                              `unknown query parameter "all"`,
		"/api/v1/admin/rebuild?projection=%zz":                        "query string",
		"/api/v1/admin/rebuild?projection=messages.v2&projection=x.1": "2 times",
	} {
		body := requireError(t, request(h, http.MethodPost, target, "", nil), http.StatusBadRequest, CodeInvalidInput)
		assert.Contains(t, body.Message, want, target)
	}
	assert.Equal(t, []string{"nope.v1"}, rb.asked, "only a well-formed request reaches the Set")

	rb.failure = generation.ErrNotRunning
	requireError(t, request(h, http.MethodPost, "/api/v1/admin/rebuild", "", nil), http.StatusServiceUnavailable, CodeNotReady)
	rb.failure = errors.New("disk on fire")
	requireError(t, request(h, http.MethodPost, "/api/v1/admin/rebuild", "", nil), http.StatusInternalServerError, CodeInternal)

	// A server without rebuilds says so.
	bare := New(Config{}, &fakeBackend{}, zerolog.Nop()).Handler()
	requireError(t, request(bare, http.MethodGet, "/api/v1/admin/rebuild", "", nil), http.StatusServiceUnavailable, CodeNotReady)
	requireError(t, request(bare, http.MethodPost, "/api/v1/admin/rebuild", "", nil), http.StatusServiceUnavailable, CodeNotReady)
	requireError(t, request(bare, http.MethodDelete, "/api/v1/admin/rebuild", "", nil), http.StatusMethodNotAllowed, CodeMethodNotAllowed)
}

func FuzzRebuildParams(f *testing.F) {
	for _, seed := range []string{"", "projection=messages.v2", "projection=", "a=b", "projection=a&projection=b", "%zz", ";"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := rebuildParams(raw)
		if err != nil {
			assert.ErrorIs(t, err, messaging.ErrInvalidInput)
			assert.Empty(t, p)
		}
	})
}

// TestRebuildMatchesOpenAPI validates the rebuild routes' answers against
// the document.
func TestRebuildMatchesOpenAPI(t *testing.T) {
	doc := loadSpec(t)
	started := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	eta := 12.5
	rb := &fakeRebuilds{status: generation.Status{State: generation.StateFailed, Serving: 2, Generation: 3, Position: 10,
		Head: 20, Rate: 1.5, ETASeconds: &eta, Started: &started, Finished: &started, Error: "boom", Resumed: true},
		known: []string{"messages.v2"}}
	h := New(Config{}, &fakeBackend{}, zerolog.Nop(), WithRebuild(rb)).Handler()
	const path = "/api/v1/admin/rebuild"
	for _, tc := range []specCase{
		{method: "GET", template: path, target: path, status: 200},
		{method: "POST", template: path, target: path + "?projection=x", status: 400},
		{method: "POST", template: path, target: path + "?projection=messages.v2", status: 202},
		{method: "POST", template: path, target: path, status: 409},
	} {
		rec := request(h, tc.method, tc.target, "", nil)
		require.Equal(t, tc.status, rec.Code, rec.Body.String())
		validateAgainstSpec(t, doc, tc, rec)
	}
}
