package api

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

const operationsURL = "/api/v1/namespaces/ns1/operations"

// TestOperations: GET /operations is the read model's operations table,
// each item a messaging.Operation as the in-memory list was.
func TestOperations(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()

	rec := get(h, "/api/v1/namespaces/"+rm.ns+"/operations")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var ops []messaging.Operation
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ops))
	require.Len(t, ops, 1)
	assert.Equal(t, rm.op, ops[0].ID)
	assert.Equal(t, messaging.OpRetrying, ops[0].Status)
	assert.Equal(t, 2, ops[0].Attempts)
	assert.Equal(t, "connection refused", ops[0].Error)

	rec = get(h, "/api/v1/namespaces/"+rm.ns+"/operations?status=failed")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `[]`, rec.Body.String(), "an empty answer is a list")

	rec = get(h, "/api/v1/namespaces/"+rm.ns+"/operations/"+rm.op.String())
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var op messaging.Operation
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &op))
	assert.Equal(t, ops[0], op)
}

func TestOperationsBadPaging(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()
	for _, q := range []string{"limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=1.5",
		"skip=-1", "skip=x", "skip=99999999999999999999", "limit=1&limit=2"} {
		t.Run(q, func(t *testing.T) {
			requireError(t, get(h, "/api/v1/namespaces/"+rm.ns+"/operations?"+q), http.StatusBadRequest, CodeInvalidInput)
		})
	}
}

func TestRetryOperation(t *testing.T) {
	fb := &fakeBackend{}
	h := newTestServer(fb).Handler()
	id := uuid.New()

	rec := request(h, http.MethodPost, operationsURL+"/"+id.String()+"/retry", "", nil)
	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	var op messaging.Operation
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &op))
	assert.Equal(t, id, op.ID)

	rec = request(h, http.MethodPost, operationsURL+"/not-a-uuid/retry", "", nil)
	requireError(t, rec, http.StatusBadRequest, CodeInvalidInput)

	fb.retryOperation = func(uuid.UUID) (messaging.Operation, error) { return messaging.Operation{}, messaging.ErrNotFound }
	rec = request(h, http.MethodPost, operationsURL+"/"+id.String()+"/retry", "", nil)
	requireError(t, rec, http.StatusNotFound, CodeNotFound)
}

func TestDigests(t *testing.T) {
	fb := &fakeBackend{}
	rec := request(newTestServer(fb).Handler(), http.MethodGet, "/api/v1/namespaces/ns1/digests", "", nil)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"broadcast":{"digest":"`+zeroHash+`","count":3},"groups":{}}`, rec.Body.String())
	assert.Equal(t, "ns1", fb.ns)

	rec = request(newTestServer(fb).Handler(), http.MethodGet, "/api/v1/namespaces/ns1/digests?contexts=true", "", nil)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"broadcast":{"digest":"`+zeroHash+`","count":3},"groups":{},"contexts":[{"context":"`+zeroHash+
		`","topic":"t","count":3,"digest":"`+zeroHash+`"}]}`, rec.Body.String())
	rec = request(newTestServer(fb).Handler(), http.MethodGet, "/api/v1/namespaces/ns1/digests?contexts=maybe", "", nil)
	requireError(t, rec, http.StatusBadRequest, CodeInvalidInput)
}

const zeroHash = "0000000000000000000000000000000000000000000000000000000000000000"

func TestStatus(t *testing.T) {
	for _, ready := range []bool{true, false} {
		fb := &fakeBackend{status: func() (messaging.Status, error) {
			return messaging.Status{Node: "n", Org: "o", Ready: ready, EventStoreHead: 7}, nil
		}}
		rec := request(newTestServer(fb).Handler(), http.MethodGet, "/api/v1/status", "", nil)
		want := http.StatusOK
		if !ready {
			want = http.StatusServiceUnavailable
		}
		require.Equal(t, want, rec.Code)
		var st messaging.Status
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &st), "the same body either way")
		assert.Equal(t, ready, st.Ready)
		assert.Equal(t, uint64(7), st.EventStoreHead)
		assert.NotContains(t, rec.Body.String(), `"projections"`, "no ProjectionLag, no projections")
		assert.Contains(t, rec.Body.String(), `"namespaces":[]`, "a list, not null")
	}
}

// TestStatusProjections: with a ProjectionLag, /status adds each projector's
// position and how far behind the event store's head it is.
func TestStatusProjections(t *testing.T) {
	lag := fakeLag{"messages.v1": 90, "chain.v1": 100, "ahead.v1": 120}
	fb := &fakeBackend{status: func() (messaging.Status, error) {
		return messaging.Status{Node: "n", Org: "o", Ready: true, EventStoreHead: 100}, nil
	}}
	rec := get(New(Config{}, fb, zerolog.Nop(), WithProjectionLag(lag)).Handler(), "/api/v1/status")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var body struct {
		Ready       bool                        `json:"ready"`
		Projections map[string]ProjectionStatus `json:"projections"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.True(t, body.Ready, "the Backend's status is kept")
	assert.Equal(t, map[string]ProjectionStatus{
		"messages.v1": {Position: 90, Behind: 10},
		"chain.v1":    {Position: 100, Behind: 0},
		"ahead.v1":    {Position: 120, Behind: 0}, // read after the head was: not negative
	}, body.Projections)
}

type fakeLag map[string]event.Position

func (f fakeLag) Positions() map[string]event.Position { return f }
