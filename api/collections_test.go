package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

func nsURL(ns, rest string) string { return "/api/v1/namespaces/" + ns + "/" + rest }

// TestCollectionsServeTheReadModel: every collection route answers the
// documents the store's Find returns for its table, byte for byte.
func TestCollectionsServeTheReadModel(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()
	for _, c := range collections {
		t.Run(c.path, func(t *testing.T) {
			rec := get(h, nsURL(rm.ns, c.path)+"?limit=1000")
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))

			q, err := query.Parse(c.table.Collection(), url.Values{"limit": {"1000"}})
			require.NoError(t, err)
			docs, _, err := rm.store.Find(context.Background(), c.table, rm.ns, q)
			require.NoError(t, err)
			require.NotEmpty(t, docs, "the fixture has %s, so the answer is checked on real rows", c.path)
			var got []json.RawMessage
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			require.Len(t, got, len(docs))
			for i := range docs {
				assert.Equal(t, string(docs[i]), string(got[i]), "document %d is passed on as stored", i)
			}
		})
	}
}

func TestCollectionCountAndPaging(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()

	all := get(h, nsURL(rm.ns, "messages?limit=1000"))
	require.Equal(t, http.StatusOK, all.Code)
	var every []map[string]any
	require.NoError(t, json.Unmarshal(all.Body.Bytes(), &every))
	require.Greater(t, len(every), 3)

	rec := get(h, nsURL(rm.ns, "messages?count=true&skip=1&limit=2"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var page struct {
		Count int              `json:"count"`
		Total int              `json:"total"`
		Items []map[string]any `json:"items"`
	}
	dec := json.NewDecoder(rec.Body)
	dec.DisallowUnknownFields()
	require.NoError(t, dec.Decode(&page))
	assert.Equal(t, 2, page.Count, "count is the items in the page")
	assert.Equal(t, len(every), page.Total, "total is every match")
	assert.Equal(t, every[1:3], page.Items, "skip and limit page the default order")

	rec = get(h, nsURL(rm.ns, "messages?count=true&id=00000000-0000-4000-8000-000000000000"))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"count":0,"total":0,"items":[]}`, rec.Body.String())

	rec = get(h, nsURL(rm.ns, "messages"))
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &every))
	assert.Len(t, every, min(25, page.Total), "25 by default")
}

func TestCollectionFiltersAndSorts(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()

	var msgs []struct {
		State  string `json:"state"`
		Header struct {
			Tag    string   `json:"tag"`
			Topics []string `json:"topics"`
		} `json:"header"`
		Sequence int64 `json:"sequence"`
	}
	rec := get(h, nsURL(rm.ns, "messages?state=confirmed&sort=sequence&limit=1000"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &msgs))
	require.NotEmpty(t, msgs)
	for i, m := range msgs {
		assert.Equal(t, "confirmed", m.State)
		if i > 0 {
			assert.Greater(t, m.Sequence, msgs[i-1].Sequence, "sorted by sequence")
		}
	}

	rec = get(h, nsURL(rm.ns, "messages?topics=invoices&tag=?INV"+url.QueryEscape("OICE")))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &msgs))
	require.Len(t, msgs, 1, "the one message this node sent")
	assert.Equal(t, "invoice", msgs[0].Header.Tag)

	rec = get(h, nsURL(rm.ns, "identities?kind=node"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var ids []struct {
		Kind string `json:"kind"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &ids))
	require.NotEmpty(t, ids)
	for _, id := range ids {
		assert.Equal(t, "node", id.Kind)
	}
}

// TestCollectionBadQueries: a query the syntax refuses is 400 LM10400, and
// the message names the parameter at fault.
func TestCollectionBadQueries(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()
	for _, tc := range []struct{ query, names string }{
		{"state=bogus", `"state"`},
		{"nosuchfield=1", `"nosuchfield"`},
		{"pretty", `"pretty"`},
		{"sequence=>x", `"sequence"`},
		{"created=yesterday", `"created"`},
		{"sort=topics", `"sort"`},
		{"sort=nosuch", `"sort"`},
		{"count=maybe", `"count"`},
		{"tag=%zz", "query string"},
		{"tag=a;b", "query string"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			body := requireError(t, get(h, nsURL(rm.ns, "messages?"+tc.query)), http.StatusBadRequest, CodeInvalidInput)
			assert.Contains(t, body.Message, tc.names)
		})
	}
	requireError(t, get(h, nsURL("bad%20ns", "messages")), http.StatusBadRequest, CodeInvalidInput)
}

// TestCollectionOfAnotherNamespaceIsEmpty: the read model holds every
// namespace; a request sees its own.
func TestCollectionOfAnotherNamespaceIsEmpty(t *testing.T) {
	s, _ := newReadModelServer(t, nil)
	rec := get(s.Handler(), nsURL("other", "messages?count=true"))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"count":0,"total":0,"items":[]}`, rec.Body.String())
}

// TestReadRoutesWithoutReadModel: a server wired without a read model says
// so (503) on the routes that need one, after checking the request.
func TestReadRoutesWithoutReadModel(t *testing.T) {
	h := newTestServer(&fakeBackend{}).Handler()
	for _, tc := range []struct {
		target string
		status int
		code   string
	}{
		{nsURL("ns1", "messages"), http.StatusServiceUnavailable, CodeNotReady},
		{nsURL("ns1", "data/6b0f3d1e-58b4-4f45-9c57-2d1b8f6a3c10"), http.StatusServiceUnavailable, CodeNotReady},
		{nsURL("ns1", "messages/6b0f3d1e-58b4-4f45-9c57-2d1b8f6a3c10/data"), http.StatusServiceUnavailable, CodeNotReady},
		{nsURL("ns1", "operations?state=failed"), http.StatusBadRequest, CodeInvalidInput}, // the request is checked first
		{nsURL("ns1", "batches/nope"), http.StatusBadRequest, CodeInvalidInput},
	} {
		requireError(t, get(h, tc.target), tc.status, tc.code)
	}
}

// failingStore is a read model whose reads fail.
type failingStore struct{ projections.Store }

func (failingStore) Find(context.Context, *projections.Table, string, query.Query) ([]json.RawMessage, int, error) {
	return nil, 0, context.DeadlineExceeded
}

func (failingStore) Get(context.Context, *projections.Table, string, any) (json.RawMessage, bool, error) {
	return nil, false, context.DeadlineExceeded
}

func TestReadModelFailureIsInternal(t *testing.T) {
	h := New(Config{}, &fakeBackend{}, zerolog.Nop(), WithReadModel(failingStore{})).Handler()
	body := requireError(t, get(h, nsURL("ns1", "messages")), http.StatusInternalServerError, CodeInternal)
	assert.Equal(t, "internal error", body.Message, "the cause stays in the log")
	requireError(t, get(h, nsURL("ns1", "batches/6b0f3d1e-58b4-4f45-9c57-2d1b8f6a3c10")), http.StatusInternalServerError, CodeInternal)
}

// servingBackend is a backend that says which namespaces it serves.
type servingBackend struct {
	*fakeBackend
	namespaces []string
}

func (b servingBackend) Serves(ns string) bool { return slices.Contains(b.namespaces, ns) }

// TestUnknownNamespace: a backend that names its namespaces makes every
// namespace route answer 404 LM10410 for another one, instead of an empty
// list that would hide a typo.
func TestUnknownNamespace(t *testing.T) {
	rm := sharedReadModel(t)
	s := New(Config{}, servingBackend{&fakeBackend{}, []string{rm.ns}}, zerolog.Nop(), WithReadModel(rm.store))
	h := s.Handler()
	rec := get(h, nsURL(rm.ns, "messages?limit=1"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	for _, path := range []string{"messages", "events?sequence=>1", "messages/" + uuid.NewString(), "digests"} {
		body := requireError(t, get(h, nsURL("nosuchns", path)), http.StatusNotFound, CodeUnknownNamespace)
		assert.Contains(t, body.Message, `"nosuchns"`)
	}
	requireError(t, postJSON(h, nsURL("nosuchns", "messages/broadcast"), `{"data":[{"value":1}]}`), http.StatusNotFound, CodeUnknownNamespace)
	requireError(t, get(h, nsURL("Bad%20NS", "messages")), http.StatusBadRequest, CodeInvalidInput)
}

// TestNamespaces: GET /namespaces lists what Status says the node serves;
// GET /namespaces/:ns answers one, 404 LM10410 for another.
func TestNamespaces(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()
	rec := get(h, "/api/v1/namespaces")
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var list []map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &list))
	require.Len(t, list, 1)
	assert.Equal(t, rm.ns, list[0]["name"])

	rec = get(h, "/api/v1/namespaces/"+rm.ns)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, rm.ns, decodeBody(t, rec)["name"])
	requireError(t, get(h, "/api/v1/namespaces/other"), http.StatusNotFound, CodeUnknownNamespace)
	requireError(t, get(h, "/api/v1/namespaces/Bad%20NS"), http.StatusBadRequest, CodeInvalidInput)
}
