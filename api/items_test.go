package api

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/projections"
)

// itemCase is one item route checked against the first row of its table.
type itemCase struct {
	table *projections.Table
	// path turns the row's document into the item's path under the namespace.
	path func(doc map[string]any) string
	// missing is a well-formed path of no row; bad a malformed one.
	missing, bad string
}

func itemCases() []itemCase {
	id := func(collection string) func(map[string]any) string {
		return func(d map[string]any) string { return collection + "/" + d["id"].(string) }
	}
	const none = "/6b0f3d1e-58b4-4f45-9c57-2d1b8f6a3c10"
	return []itemCase{
		{projections.MessagesTable, func(d map[string]any) string {
			return "messages/" + d["header"].(map[string]any)["id"].(string)
		}, "", "messages/6b0f3d1e-58b4"},
		{projections.DataTable, id("data"), "data" + none, "data/x"},
		{projections.BatchesTable, id("batches"), "batches" + none, "batches/1"},
		{projections.TransactionsTable, id("transactions"), "transactions" + none, "transactions/"},
		{projections.OperationsTable, id("operations"), "operations" + none, "operations/{}"},
		{projections.GroupsTable, func(d map[string]any) string { return "groups/" + strings.ToUpper(d["hash"].(string)) },
			"groups/" + strings.Repeat("ab", 32), "groups/" + strings.Repeat("g", 64)},
		{projections.IdentitiesTable, func(d map[string]any) string { return "identities/" + url.PathEscape(d["did"].(string)) },
			"identities/" + url.PathEscape("did:lm:org/nobody"), "identities/" + url.PathEscape("did:web:example.com")},
		{projections.DatatypesTable, func(d map[string]any) string {
			return "datatypes/" + d["name"].(string) + "/" + d["version"].(string)
		}, "datatypes/nosuch/1.0", "datatypes/-bad/1.0"},
		{projections.ChainEventsTable, func(d map[string]any) string { return "chainevents/" + d["ref"].(string) },
			"chainevents/00000000000000000001.0000000000.0000000000", "chainevents/0x12"},
		{projections.EventsTable, func(d map[string]any) string { return "events/" + strconv.Itoa(int(d["sequence"].(float64))) },
			"events/999999999", "events/-1"},
	}
}

// TestItemRoutes: each item route answers its row's document as stored,
// 404 LM10404 for a row that does not exist and 400 for a malformed key.
func TestItemRoutes(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()
	for _, tc := range itemCases() {
		t.Run(tc.table.Name(), func(t *testing.T) {
			doc := rm.first(t, tc.table, nil)
			rec := get(h, nsURL(rm.ns, tc.path(doc)))
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			assert.Equal(t, "application/json", rec.Header().Get("Content-Type"))
			var got map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			assert.Equal(t, doc, got)

			if tc.missing != "" {
				requireError(t, get(h, nsURL(rm.ns, tc.missing)), http.StatusNotFound, CodeNotFound)
			}
			rec = get(h, nsURL(rm.ns, tc.bad))
			if rec.Code == http.StatusNotFound {
				requireError(t, rec, http.StatusNotFound, CodeNotFound) // no route at all
			} else {
				requireError(t, rec, http.StatusBadRequest, CodeInvalidInput)
			}
		})
	}
}

// TestIdentityDIDs: a DID's slashes may be escaped as %2F (and its colons
// as %3A), or not: the DID is the last segment of the route, and Echo gives
// a route's last parameter the rest of the path.
func TestIdentityDIDs(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	h := s.Handler()
	for _, kind := range []string{"org", "node"} {
		did := rm.first(t, projections.IdentitiesTable, url.Values{"kind": {kind}})["did"].(string)
		for _, escaped := range []string{
			did,
			strings.ReplaceAll(did, "/", "%2F"),
			strings.ReplaceAll(strings.ReplaceAll(did, "/", "%2f"), ":", "%3A"),
		} {
			rec := get(h, nsURL(rm.ns, "identities/"+escaped))
			require.Equal(t, http.StatusOK, rec.Code, "%s: %s", escaped, rec.Body.String())
			var got struct {
				DID  string `json:"did"`
				Kind string `json:"kind"`
			}
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
			assert.Equal(t, did, got.DID)
			assert.Equal(t, kind, got.Kind)
		}
	}
	body := requireError(t, get(h, nsURL(rm.ns, "identities/did:lm:team%2Fa")), http.StatusBadRequest, CodeInvalidInput)
	assert.Contains(t, body.Message, "did:lm:team/a")
}

// TestGetMessageFallsBackToBackend: a message the read model does not have
// yet comes from the Backend; one neither has is 404.
func TestGetMessageFallsBackToBackend(t *testing.T) {
	fresh := newView("broadcast", messaging.StatePending)
	fb := &fakeBackend{message: func(_ context.Context, id uuid.UUID) (messaging.MessageView, error) {
		if id == fresh.Header.ID() {
			return fresh, nil
		}
		return messaging.MessageView{}, messaging.ErrNotFound
	}}
	s, rm := newReadModelServer(t, fb)
	h := s.Handler()

	rec := get(h, nsURL(rm.ns, "messages/"+rm.sent.String()))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Contains(t, rec.Body.String(), `"tag":"invoice"`, "from the read model")

	rec = get(h, nsURL(rm.ns, "messages/"+fresh.Header.ID().String()))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got messaging.MessageView
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	assert.Equal(t, fresh.Hash, got.Hash)
	assert.Contains(t, rec.Body.String(), `"data":[]`)

	requireError(t, get(h, nsURL(rm.ns, "messages/"+uuid.NewString())), http.StatusNotFound, CodeNotFound)
	fb.message = func(context.Context, uuid.UUID) (messaging.MessageView, error) {
		return messaging.MessageView{}, messaging.ErrUnknownNamespace
	}
	requireError(t, get(h, nsURL("nope", "messages/"+uuid.NewString())), http.StatusNotFound, CodeUnknownNamespace)
}

// TestMessageData: the message's data items, in the message's order.
func TestMessageData(t *testing.T) {
	s, rm := newReadModelServer(t, &fakeBackend{message: func(context.Context, uuid.UUID) (messaging.MessageView, error) {
		return messaging.MessageView{}, messaging.ErrNotFound
	}})
	h := s.Handler()
	rec := get(h, nsURL(rm.ns, "messages/"+rm.sent.String()+"/data"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var items []struct {
		ID    uuid.UUID       `json:"id"`
		Value json.RawMessage `json:"value"`
	}
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &items))
	require.Len(t, items, 2)
	assert.Equal(t, rm.sentData, []uuid.UUID{items[0].ID, items[1].ID})
	assert.JSONEq(t, `{"amount":12.5,"currency":"EUR"}`, string(items[1].Value))

	// A received message's data, every item present.
	msg := rm.first(t, projections.MessagesTable, url.Values{"state": {"confirmed"}, "type": {"broadcast"}})
	rec = get(h, nsURL(rm.ns, "messages/"+msg["header"].(map[string]any)["id"].(string)+"/data"))
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	var got []map[string]any
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
	refs := msg["data"].([]any)
	require.Len(t, got, len(refs))
	for i, ref := range refs {
		assert.Equal(t, ref.(map[string]any)["id"], got[i]["id"])
		assert.Equal(t, ref.(map[string]any)["hash"], got[i]["hash"])
	}

	requireError(t, get(h, nsURL(rm.ns, "messages/"+uuid.NewString()+"/data")), http.StatusNotFound, CodeNotFound)
}

func TestNotFoundNamesTheRow(t *testing.T) {
	s, rm := newReadModelServer(t, nil)
	body := requireError(t, get(s.Handler(), nsURL(rm.ns, "batches/"+uuid.Nil.String()[:35]+"1")), http.StatusNotFound, CodeNotFound)
	assert.Equal(t, "not found: batch 00000000-0000-0000-0000-000000000001 in namespace "+rm.ns, body.Message)
	for _, c := range collections {
		assert.NotEqual(t, c.table.Name(), singular(c.table), "every table has a row name")
	}
}
