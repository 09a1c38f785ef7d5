package api

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

const operationsURL = "/api/v1/namespaces/ns1/operations"

func TestOperations(t *testing.T) {
	fb := &fakeBackend{}
	h := newTestServer(fb).Handler()

	rec := request(h, http.MethodGet, operationsURL, "", nil)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, 0, fb.skip)
	assert.Equal(t, 25, fb.limit)
	var ops []messaging.Operation
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ops))
	require.Len(t, ops, 1)
	assert.Equal(t, messaging.OpFailed, ops[0].Status)

	rec = request(h, http.MethodGet, operationsURL+"?skip=50&limit=1000", "", nil)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, 50, fb.skip)
	assert.Equal(t, 1000, fb.limit)
}

func TestOperationsEmptyIsAList(t *testing.T) {
	fb := &fakeBackend{operations: func() ([]messaging.Operation, error) { return nil, nil }}
	rec := request(newTestServer(fb).Handler(), http.MethodGet, operationsURL, "", nil)
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `[]`, rec.Body.String())
}

func TestOperationsBadPaging(t *testing.T) {
	h := newTestServer(&fakeBackend{}).Handler()
	for _, q := range []string{"limit=0", "limit=1001", "limit=-1", "limit=abc", "limit=1.5",
		"skip=-1", "skip=x", "skip=99999999999999999999"} {
		t.Run(q, func(t *testing.T) {
			requireError(t, request(h, http.MethodGet, operationsURL+"?"+q, "", nil), http.StatusBadRequest, CodeInvalidInput)
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
	}
}
