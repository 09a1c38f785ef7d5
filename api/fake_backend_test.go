package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// fakeBackend answers every method with a valid default and records what it
// was asked. A test overrides one method by setting its func field.
type fakeBackend struct {
	mu       sync.Mutex
	ns       string
	sent     messaging.SendRequest
	datatype messaging.DatatypeRequest
	stored   messaging.DataInput
	blobID   uuid.UUID
	blobName string
	blob     []byte

	broadcast      func(ctx context.Context, req messaging.SendRequest) (messaging.MessageView, error)
	awaitDecision  func(ctx context.Context, id uuid.UUID) (messaging.MessageView, error)
	message        func(ctx context.Context, id uuid.UUID) (messaging.MessageView, error)
	storeData      func(ctx context.Context) (protocol.Data, error)
	uploadBlob     func(ctx context.Context, r io.Reader) (protocol.Data, error)
	retryOperation func(id uuid.UUID) (messaging.Operation, error)
	digests        func() (messaging.Digests, error)
	status         func() (messaging.Status, error)
}

var _ Backend = (*fakeBackend)(nil)

func (f *fakeBackend) record(ns string, fn func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.ns = ns
	if fn != nil {
		fn()
	}
}

func (f *fakeBackend) Broadcast(ctx context.Context, ns string, req messaging.SendRequest) (messaging.MessageView, error) {
	f.record(ns, func() { f.sent = req })
	if f.broadcast != nil {
		return f.broadcast(ctx, req)
	}
	return newView(protocol.MessageTypeBroadcast, messaging.StatePending), nil
}

func (f *fakeBackend) Private(_ context.Context, ns string, req messaging.SendRequest) (messaging.MessageView, error) {
	f.record(ns, func() { f.sent = req })
	return newView(protocol.MessageTypeBroadcast, messaging.StatePending), nil
}

func (f *fakeBackend) AwaitDecision(ctx context.Context, _ string, id uuid.UUID) (messaging.MessageView, error) {
	if f.awaitDecision != nil {
		return f.awaitDecision(ctx, id)
	}
	return newView(protocol.MessageTypeBroadcast, messaging.StateConfirmed), nil
}

func (f *fakeBackend) Message(ctx context.Context, ns string, id uuid.UUID) (messaging.MessageView, error) {
	f.record(ns, nil)
	if f.message != nil {
		return f.message(ctx, id)
	}
	return newView(protocol.MessageTypeBroadcast, messaging.StatePending), nil
}

func (f *fakeBackend) StoreData(ctx context.Context, ns string, in messaging.DataInput) (protocol.Data, error) {
	f.record(ns, func() { f.stored = in })
	if f.storeData != nil {
		return f.storeData(ctx)
	}
	return newData(), nil
}

func (f *fakeBackend) UploadBlob(ctx context.Context, ns string, id uuid.UUID, name string, r io.Reader) (protocol.Data, error) {
	f.record(ns, func() { f.blobID, f.blobName = id, name })
	if f.uploadBlob != nil {
		return f.uploadBlob(ctx, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return protocol.Data{}, err
	}
	f.mu.Lock()
	f.blob = b
	f.mu.Unlock()
	return newData(), nil
}

func (f *fakeBackend) DefineDatatype(_ context.Context, ns string, req messaging.DatatypeRequest) (messaging.MessageView, error) {
	f.record(ns, func() { f.datatype = req })
	return newView(protocol.MessageTypeDefinition, messaging.StatePending), nil
}

func (f *fakeBackend) RetryOperation(_ context.Context, ns string, id uuid.UUID) (messaging.Operation, error) {
	f.record(ns, nil)
	if f.retryOperation != nil {
		return f.retryOperation(id)
	}
	op := newOperation()
	op.ID = id
	return op, nil
}

func (f *fakeBackend) Digests(_ context.Context, ns string, withContexts bool) (messaging.Digests, error) {
	f.record(ns, nil)
	if f.digests != nil {
		return f.digests()
	}
	d := messaging.Digests{Broadcast: messaging.NamespaceDigest{Count: 3}}
	if withContexts {
		d.Contexts = []messaging.ContextDigest{{Topic: "t", Count: 3}}
	}
	return d, nil
}

func (f *fakeBackend) Status(context.Context) (messaging.Status, error) {
	if f.status != nil {
		return f.status()
	}
	return messaging.Status{Node: "did:lm:node/org1/node1", Org: "did:lm:org/org1", Ready: true}, nil
}

// newView builds a valid message view; it panics on a fixture bug, which
// is the fake's fault and never the code under test's.
func newView(typ protocol.MessageType, state messaging.MessageState) messaging.MessageView {
	author, err := protocol.NewOrgDID("org1")
	must(err)
	key, err := protocol.NewSigningKey([protocol.SigningKeySize]byte{1})
	must(err)
	dataHash, err := protocol.DataListHash(nil)
	must(err)
	h, err := protocol.NewMessageHeader(protocol.MessageHeaderFields{
		ID: uuid.New(), Type: typ, TxType: protocol.TxTypeBatchPin, Author: author, Key: key,
		Created: time.Unix(1700000000, 0), Namespace: "ns1", Topics: []string{"t1"}, DataHash: dataHash,
	})
	must(err)
	v := messaging.MessageView{Header: h, Hash: h.Hash(), State: state}
	if state == messaging.StateRejected {
		v.Reason = "datatype mismatch"
	}
	return v
}

func newData() protocol.Data {
	d, err := protocol.NewData(protocol.DataFields{ID: uuid.New(), Value: json.RawMessage(`{"a":1}`)})
	must(err)
	return d
}

func newOperation() messaging.Operation {
	return messaging.Operation{ID: uuid.New(), Namespace: "ns1", Type: messaging.OpPinBatch,
		BatchID: uuid.New(), Target: "ethereum", Status: messaging.OpFailed, Attempts: 3,
		Created: time.Unix(1700000000, 0).UTC(), Updated: time.Unix(1700000001, 0).UTC()}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// newTestServer serves fb with the default config changed by opts.
func newTestServer(fb *fakeBackend, opts ...func(*Config)) *Server {
	var cfg Config
	for _, o := range opts {
		o(&cfg)
	}
	return New(cfg, fb, zerolog.Nop())
}

// request sends one request to h and returns the recorded answer.
func request(h http.Handler, method, target, contentType string, body io.Reader) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, body)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func postJSON(h http.Handler, target, body string) *httptest.ResponseRecorder {
	return request(h, http.MethodPost, target, "application/json", bytes.NewBufferString(body))
}

// requireError checks an error answer's status, shape and code.
func requireError(t *testing.T, rec *httptest.ResponseRecorder, status int, code string) ErrorResponse {
	t.Helper()
	require.Equal(t, status, rec.Code, "body: %s", rec.Body.String())
	require.Contains(t, rec.Header().Get("Content-Type"), "application/json")
	var body ErrorResponse
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&body))
	require.Equal(t, code, body.Code, "message: %s", body.Message)
	require.NotEmpty(t, body.Message)
	return body
}

// decodeBody decodes a success answer into a generic map.
func decodeBody(t *testing.T, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &m), "body: %s", rec.Body.String())
	return m
}
