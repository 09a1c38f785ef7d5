package api

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

const dataURL = "/api/v1/namespaces/ns1/data"

func TestStoreData(t *testing.T) {
	stored := newData()
	fb := &fakeBackend{storeData: func(context.Context) (protocol.Data, error) { return stored, nil }}
	h := newTestServer(fb).Handler()

	rec := postJSON(h, dataURL, `{"value":{"b":2,"a":1},"datatype":{"name":"widget","version":"1.0"}}`)

	require.Equal(t, http.StatusCreated, rec.Code, rec.Body.String())
	assert.JSONEq(t, `{"b":2,"a":1}`, string(fb.stored.Value))
	assert.Equal(t, &messaging.DatatypeInput{Name: "widget", Version: "1.0"}, fb.stored.Datatype)
	got, err := protocol.UnmarshalData(rec.Body.Bytes())
	require.NoError(t, err, "the answer is protocol.Data's JSON")
	assert.Equal(t, stored.ID(), got.ID())
	assert.Equal(t, stored.Hash(), got.Hash())
}

func TestStoreDataRejects(t *testing.T) {
	h := newTestServer(&fakeBackend{}).Handler()
	// The node assigns data ids; a client-chosen one is an unknown field.
	rec := postJSON(h, dataURL, `{"id":"6b0f3d1e-58b4-4f45-9c57-2d1b8f6a3c10","value":1}`)
	requireError(t, rec, http.StatusBadRequest, CodeInvalidInput)

	rec = request(h, http.MethodPost, dataURL, "text/plain", nil)
	requireError(t, rec, http.StatusUnsupportedMediaType, CodeUnsupportedMediaType)

	fb := &fakeBackend{storeData: func(context.Context) (protocol.Data, error) {
		return protocol.Data{}, messaging.ErrUnknownNamespace
	}}
	rec = postJSON(newTestServer(fb).Handler(), dataURL, `{"value":1}`)
	requireError(t, rec, http.StatusNotFound, CodeUnknownNamespace)
}
