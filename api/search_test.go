package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/search/bleve"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/projections/search/projector"
)

// searchFixture is a Bleve index over the read-model fixture's own
// message (tag invoice, topic invoices) and its typed data item
// ({"amount":12.5,"currency":"EUR"}), plus a document the read model does
// not have.
type searchFixture struct {
	idx    *bleve.Index
	rm     *readModel
	orphan string
}

// newSearchFixture indexes the fixture's documents into a new index in a
// directory of the test's own, closed when the test ends.
func newSearchFixture(t testing.TB) *searchFixture {
	t.Helper()
	rm := sharedReadModel(t)
	idx, err := bleve.Open(t.TempDir(), bleve.Config{})
	require.NoError(t, err)
	t.Cleanup(func() { _ = idx.Close() })
	orphan := uuid.NewSHA1(uuid.Nil, []byte("orphan")).String()
	require.NoError(t, idx.Index(context.Background(),
		search.Document{Namespace: rm.ns, Kind: search.Messages, ID: rm.sent.String(), Text: "12.5\nEUR",
			Fields: map[string][]string{"tag": {"invoice"}, "topics": {"invoices"}, "state": {"pending"}}},
		search.Document{Namespace: rm.ns, Kind: search.Data, ID: rm.sentData[1].String(), Text: "12.5\nEUR",
			Fields: map[string][]string{"datatype": {"invoice/1.0"}}},
		search.Document{Namespace: rm.ns, Kind: search.Data, ID: orphan, Text: "orphaned words"},
	))
	return &searchFixture{idx: idx, rm: rm, orphan: orphan}
}

func newSearchServer(t testing.TB) (*Server, *searchFixture) {
	t.Helper()
	f := newSearchFixture(t)
	return New(Config{}, &fakeBackend{}, zerolog.Nop(), WithReadModel(f.rm.store),
		WithSearch(search.WithHighlights(f.idx, projector.Texts(f.rm.store)))), f
}

func searchURL(ns string, params url.Values) string {
	return "/api/v1/namespaces/" + ns + "/search?" + params.Encode()
}

func decodeSearch(t *testing.T, body []byte) searchAnswer {
	t.Helper()
	var out searchAnswer
	require.NoError(t, json.Unmarshal(body, &out), "%s", body)
	return out
}

func TestSearchFindsMessagesAndData(t *testing.T) {
	s, f := newSearchServer(t)
	rec := get(s.Handler(), searchURL(f.rm.ns, url.Values{"q": {"eur"}}))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	res := decodeSearch(t, rec.Body.Bytes())
	assert.Equal(t, 2, res.Total)
	require.Len(t, res.Hits, 2)
	byType := map[search.Kind]searchHit{}
	for _, h := range res.Hits {
		byType[h.Type] = h
		assert.Positive(t, h.Score)
		assert.Equal(t, []string{"12.5\n<mark>EUR</mark>"}, h.Highlights["text"])
	}
	msg, data := byType[search.Messages], byType[search.Data]
	assert.Equal(t, f.rm.sent.String(), msg.ID)
	assert.Equal(t, f.rm.sentData[1].String(), data.ID)
	for _, tc := range []struct {
		hit   searchHit
		table *projections.Table
	}{{msg, projections.MessagesTable}, {data, projections.DataTable}} {
		want, found, err := f.rm.store.Get(context.Background(), tc.table, f.rm.ns, [16]byte(uuid.MustParse(tc.hit.ID)))
		require.NoError(t, err)
		require.True(t, found)
		assert.JSONEq(t, string(want), string(tc.hit.Item), "the hit carries the read model's document")
	}

	rec = get(s.Handler(), searchURL(f.rm.ns, url.Values{"q": {"eur"}, "type": {"data"}}))
	res = decodeSearch(t, rec.Body.Bytes())
	require.Len(t, res.Hits, 1)
	assert.Equal(t, search.Data, res.Hits[0].Type)

	rec = get(s.Handler(), searchURL(f.rm.ns, url.Values{"q": {"tag:invoice"}}))
	res = decodeSearch(t, rec.Body.Bytes())
	require.Len(t, res.Hits, 1)
	assert.Equal(t, f.rm.sent.String(), res.Hits[0].ID)
	assert.Empty(t, res.Hits[0].Highlights, "a field-only query highlights nothing")
	assert.Contains(t, rec.Body.String(), `"highlights":{}`)

	// Paging: the second of two hits, with the total of both.
	rec = get(s.Handler(), searchURL(f.rm.ns, url.Values{"q": {"12.5"}, "skip": {"1"}, "limit": {"1"}}))
	res = decodeSearch(t, rec.Body.Bytes())
	assert.Equal(t, 2, res.Total)
	require.Len(t, res.Hits, 1)

	// A document the read model does not have comes with a null item.
	rec = get(s.Handler(), searchURL(f.rm.ns, url.Values{"q": {"orphaned"}}))
	res = decodeSearch(t, rec.Body.Bytes())
	require.Len(t, res.Hits, 1)
	assert.Equal(t, f.orphan, res.Hits[0].ID)
	assert.Equal(t, "null", string(res.Hits[0].Item))

	// Another namespace sees nothing.
	rec = get(s.Handler(), searchURL("other", url.Values{"q": {"eur"}}))
	require.Equal(t, http.StatusOK, rec.Code)
	assert.JSONEq(t, `{"total":0,"hits":[]}`, rec.Body.String())
}

func TestSearchRefusesBadParameters(t *testing.T) {
	s, f := newSearchServer(t)
	for name, params := range map[string]string{
		"unterminated phrase": "q=%22open",
		"unknown field":       "q=colour:red",
		"bare star":           "q=*",
		"bad type":            "type=blobs",
		"empty type":          "type=",
		"negative skip":       "skip=-1",
		"plus skip":           "skip=+1",
		"word skip":           "skip=two",
		"zero limit":          "limit=0",
		"huge limit":          "limit=1001",
		"past the window":     "skip=9990&limit=25",
		"unknown parameter":   "q=a&sort=score",
		"repeated q":          "q=a&q=b",
		"malformed escape":    "q=%zz",
	} {
		t.Run(name, func(t *testing.T) {
			rec := get(s.Handler(), "/api/v1/namespaces/"+f.rm.ns+"/search?"+params)
			body := requireError(t, rec, http.StatusBadRequest, CodeInvalidInput)
			assert.NotEmpty(t, body.Message)
		})
	}
	rec := get(s.Handler(), "/api/v1/namespaces/bad%20ns/search?q=a")
	requireError(t, rec, http.StatusBadRequest, CodeInvalidInput)
}

func TestSearchWithoutIndex(t *testing.T) {
	f := newSearchFixture(t)
	s := New(Config{}, &fakeBackend{}, zerolog.Nop(), WithReadModel(f.rm.store))
	body := requireError(t, get(s.Handler(), searchURL(f.rm.ns, url.Values{"q": {"eur"}})), http.StatusServiceUnavailable, CodeNotReady)
	assert.Contains(t, body.Message, "search")
	// A bad request is still a bad request.
	requireError(t, get(s.Handler(), searchURL(f.rm.ns, url.Values{"type": {"x"}})), http.StatusBadRequest, CodeInvalidInput)
	s = New(Config{}, &fakeBackend{}, zerolog.Nop(), WithSearch(f.idx))
	requireError(t, get(s.Handler(), searchURL(f.rm.ns, url.Values{"q": {"eur"}})), http.StatusServiceUnavailable, CodeNotReady)
}

func TestSearchMatchesOpenAPI(t *testing.T) {
	doc := loadSpec(t)
	s, f := newSearchServer(t)
	tmpl := "/api/v1/namespaces/{ns}/search"
	for _, tc := range []specCase{
		{method: "GET", template: tmpl, target: searchURL(f.rm.ns, url.Values{"q": {"eur"}}), status: 200},
		{method: "GET", template: tmpl, target: searchURL(f.rm.ns, url.Values{"q": {"orphaned"}, "type": {"data"}, "skip": {"0"}, "limit": {"5"}}), status: 200},
		{method: "GET", template: tmpl, target: searchURL(f.rm.ns, url.Values{"q": {"tag:invoice"}}), status: 200},
		{method: "GET", template: tmpl, target: searchURL(f.rm.ns, url.Values{"q": {`"x`}}), status: 400},
	} {
		t.Run(tc.target, func(t *testing.T) {
			rec := get(s.Handler(), tc.target)
			require.Equal(t, tc.status, rec.Code, rec.Body.String())
			validateAgainstSpec(t, doc, tc, rec)
		})
	}
}

// FuzzSearchQuery sends arbitrary query strings to GET /search. Whatever
// the string, the answer is 200 with hits or 400 in the error shape, never
// a panic or a 500.
func FuzzSearchQuery(f *testing.F) {
	for _, seed := range []string{
		"q=eur", "q=%22late+payment%22&type=messages", "q=pay*&skip=1&limit=2", "q=-draft", "q=tag:inv*",
		"type=data", "skip=10000", "limit=1000", "q=a&q=b", "q=%zz", "q=" + strings.Repeat("a+", 40), "q=%ff",
	} {
		f.Add(seed)
	}
	s, fix := newSearchServer(f)
	h := s.Handler()
	f.Fuzz(func(t *testing.T, rawQuery string) {
		for i := 0; i < len(rawQuery); i++ {
			if c := rawQuery[i]; c <= ' ' || c == 0x7f || c == '#' {
				return // not in a request target a client can send
			}
		}
		rec := get(h, "/api/v1/namespaces/"+fix.rm.ns+"/search?"+rawQuery)
		switch rec.Code {
		case http.StatusOK:
			var out searchAnswer
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out))
			assert.GreaterOrEqual(t, out.Total, len(out.Hits))
		case http.StatusBadRequest:
			requireError(t, rec, rec.Code, CodeInvalidInput)
		default:
			t.Fatalf("status %d for %q: %s", rec.Code, rawQuery, rec.Body.String())
		}
	})
}
