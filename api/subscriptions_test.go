package api

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/delivery"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// eventsProgress stands in for the projections runner.
type eventsProgress struct {
	mu  sync.Mutex
	pos event.Position
}

func (p *eventsProgress) Positions() map[string]event.Position {
	p.mu.Lock()
	defer p.mu.Unlock()
	return map[string]event.Position{projections.Events{}.Name(): p.pos}
}

// subsFixture is a server with subscriptions over a real event store and
// a memory read model whose event rows the test writes.
type subsFixture struct {
	t     *testing.T
	srv   *Server
	http  *httptest.Server
	store event.Store
	rm    *memstore.Store
	prog  *eventsProgress
	repo  *subscription.Log
}

func newSubsFixture(t *testing.T) *subsFixture {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	store, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "events.db")}, zerolog.Nop())
	require.NoError(t, err)
	f := &subsFixture{t: t, store: store, rm: memstore.New(), prog: &eventsProgress{}}
	f.repo = subscription.NewLog(store, catalogue.Default())
	eng := delivery.New(f.rm, f.prog, f.repo, zerolog.Nop(), delivery.Options{CommitInterval: 20 * time.Millisecond})
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); _ = f.repo.Run(ctx) }()
	go func() { defer wg.Done(); _ = eng.Run(ctx) }()
	f.srv = New(Config{}, &fakeBackend{}, zerolog.Nop(), WithReadModel(f.rm), WithSubscriptions(f.repo, eng))
	f.http = httptest.NewServer(f.srv.Handler())
	t.Cleanup(func() {
		f.http.CloseClientConnections()
		f.http.Close()
		cancel()
		wg.Wait()
		require.NoError(t, store.Close())
	})
	return f
}

// add lists n message_confirmed events on topic; each sequence is a store
// position, as in a node.
func (f *subsFixture) add(n int, topic string) []projections.EventDoc {
	f.t.Helper()
	cat := catalogue.Default()
	proposed := make([]event.Proposed, n)
	for i := range proposed {
		p, err := cat.Encode(uuid.New(), catalogue.PeerRefused{Reason: "test"}, event.Metadata{})
		require.NoError(f.t, err)
		proposed[i] = p
	}
	res, err := f.store.Append(context.Background(), catalogue.PeerStream, event.Any(), proposed...)
	require.NoError(f.t, err)
	tx, err := f.rm.Begin(context.Background())
	require.NoError(f.t, err)
	docs := make([]projections.EventDoc, n)
	for i := range docs {
		d := projections.EventDoc{ID: uuid.New(), Sequence: int64(res.FirstPosition) + int64(i), Namespace: "default",
			Type: projections.EventMessageConfirmed, Reference: uuid.NewString(), Topics: []string{topic},
			Created: time.Unix(1, 0).UTC()}
		raw, err := json.Marshal(d)
		require.NoError(f.t, err)
		require.NoError(f.t, tx.Put(projections.EventsTable, query.Row{"namespace": d.Namespace, "sequence": d.Sequence,
			"id": [16]byte(d.ID), "type": d.Type, "reference": d.Reference, "topics": d.Topics, "created": d.Created}, raw))
		docs[i] = d
	}
	require.NoError(f.t, tx.Commit())
	f.prog.mu.Lock()
	f.prog.pos = res.LastPosition
	f.prog.mu.Unlock()
	return docs
}

const subsPath = "/api/v1/namespaces/default/subscriptions"

func TestSubscriptionsCRUD(t *testing.T) {
	f := newSubsFixture(t)
	h := f.srv.Handler()
	doc := loadSpec(t)
	tmpl := "/api/v1/namespaces/{ns}/subscriptions"
	check := func(tc specCase) *httptest.ResponseRecorder {
		t.Helper()
		if tc.body != nil {
			tc.contentType = "application/json"
		}
		rec := request(h, tc.method, tc.target, tc.contentType, bytes.NewReader(tc.body))
		require.Equal(t, tc.status, rec.Code, rec.Body.String())
		validateAgainstSpec(t, doc, tc, rec)
		return rec
	}
	body := `{"name":"orders","transport":"websocket","filter":{"events":["message_confirmed"],"topics":"^orders$"},` +
		`"options":{"firstEvent":"oldest","readAhead":5,"withData":true}}`
	created := decodeBody(t, check(specCase{method: "POST", template: tmpl, target: subsPath, body: []byte(body), status: 201}))
	assert.Equal(t, "orders", created["name"])
	assert.Equal(t, map[string]any{"firstEvent": "oldest", "readAhead": 5.0, "withData": true}, created["options"])

	rec := check(specCase{method: "POST", template: tmpl, target: subsPath, body: []byte(body), status: 409})
	requireError(t, rec, 409, CodeConflict)
	for _, bad := range []string{
		`{"name":"x","transport":"webhook","options":{"url":"http://127.0.0.1:1"}}`,
		`{"name":"x","transport":"websocket","filter":{"tag":"("}}`,
		`{"name":"x","transport":"websocket","filter":{"events":["nope"]}}`,
		`{"name":"x","transport":"websocket","options":{"firstEvent":"soon"}}`,
		`{"name":"x","transport":"websocket","extra":1}`,
	} {
		requireError(t, postJSON(h, subsPath, bad), 400, CodeInvalidInput)
	}

	got := decodeBody(t, check(specCase{method: "GET", template: tmpl + "/{name}", target: subsPath + "/orders", status: 200}))
	assert.Equal(t, created["id"], got["id"])
	check(specCase{method: "GET", template: tmpl, target: subsPath, status: 200})

	upd := `{"transport":"sse","filter":{"tag":"^a"}}`
	updated := decodeBody(t, check(specCase{method: "PUT", template: tmpl + "/{name}", target: subsPath + "/orders",
		body: []byte(upd), status: 200}))
	assert.Equal(t, "sse", updated["transport"])
	assert.Equal(t, created["id"], updated["id"])
	requireError(t, request(h, "PUT", subsPath+"/orders", "application/json", bytes.NewBufferString(`{"name":"other","transport":"sse"}`)),
		400, CodeInvalidInput)

	// 204 has no body for the validator to look at.
	require.Equal(t, 204, request(h, "DELETE", subsPath+"/orders", "", nil).Code)
	requireError(t, check(specCase{method: "GET", template: tmpl + "/{name}", target: subsPath + "/orders", status: 404}),
		404, CodeNotFound)
	requireError(t, request(h, "DELETE", subsPath+"/orders", "", nil), 404, CodeNotFound)
	// The name is free again, with a new id.
	again := decodeBody(t, postJSON(h, subsPath, body))
	assert.NotEqual(t, created["id"], again["id"])
}

func TestSubscriptionsWithoutEngineAnswer503(t *testing.T) {
	h := newTestServer(&fakeBackend{}).Handler()
	requireError(t, request(h, "GET", subsPath, "", nil), 503, CodeNotReady)
	requireError(t, request(h, "GET", "/ws", "", nil), 503, CodeNotReady)
	requireError(t, request(h, "GET", "/api/v1/namespaces/default/events/stream", "", nil), 503, CodeNotReady)
}
