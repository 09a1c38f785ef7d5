package api

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

const (
	broadcastURL = "/api/v1/namespaces/ns1/messages/broadcast"
	privateURL   = "/api/v1/namespaces/ns1/messages/private"
	datatypesURL = "/api/v1/namespaces/ns1/datatypes"
)

func TestBroadcast(t *testing.T) {
	fb := &fakeBackend{}
	h := newTestServer(fb).Handler()
	cid := uuid.New()

	rec := postJSON(h, broadcastURL, `{"header":{"topics":["t1","t2"],"tag":"invoice","cid":"`+cid.String()+`"},
		"data":[{"value":{"n":1}},{"id":"6b0f3d1e-58b4-4f45-9c57-2d1b8f6a3c10"},
		{"value":"x","datatype":{"name":"widget","version":"1.0"}}]}`)

	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	body := decodeBody(t, rec)
	assert.Equal(t, "pending", body["state"])
	assert.Contains(t, body["header"], "id")
	assert.Equal(t, "ns1", fb.ns)
	assert.Equal(t, []string{"t1", "t2"}, fb.sent.Header.Topics)
	assert.Equal(t, "invoice", fb.sent.Header.Tag)
	assert.Equal(t, cid, fb.sent.Header.CID)
	require.Len(t, fb.sent.Data, 3)
	assert.JSONEq(t, `{"n":1}`, string(fb.sent.Data[0].Value))
	assert.Equal(t, "6b0f3d1e-58b4-4f45-9c57-2d1b8f6a3c10", fb.sent.Data[1].ID.String())
	assert.Equal(t, &messaging.DatatypeInput{Name: "widget", Version: "1.0"}, fb.sent.Data[2].Datatype)
	assert.Nil(t, fb.sent.Group)
}

func TestPrivate(t *testing.T) {
	fb := &fakeBackend{}
	h := newTestServer(fb).Handler()

	rec := postJSON(h, privateURL, `{"header":{},"data":[{"value":1}],
		"group":{"name":"g1","members":[{"identity":"did:lm:org/org2"},{"identity":"did:lm:org/org3","node":"n1"}]}}`)

	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	require.NotNil(t, fb.sent.Group)
	assert.Equal(t, "g1", fb.sent.Group.Name)
	assert.Equal(t, []messaging.MemberInput{{Identity: "did:lm:org/org2"}, {Identity: "did:lm:org/org3", Node: "n1"}},
		fb.sent.Group.Members)
}

func TestSendRejectsBadRequests(t *testing.T) {
	tests := []struct {
		name, url, contentType, body string
		status                       int
		code                         string
	}{
		{"private without group", privateURL, "application/json", `{"data":[{"value":1}]}`, 400, CodeInvalidInput},
		{"broadcast with group", broadcastURL, "application/json",
			`{"data":[{"value":1}],"group":{"members":[]}}`, 400, CodeInvalidInput},
		{"malformed JSON", broadcastURL, "application/json", `{"data":[`, 400, CodeInvalidInput},
		{"syntax error", broadcastURL, "application/json", `{"data" 1}`, 400, CodeInvalidInput},
		{"wrong type", broadcastURL, "application/json", `{"data":"x"}`, 400, CodeInvalidInput},
		{"not an object", broadcastURL, "application/json", `[1]`, 400, CodeInvalidInput},
		{"unknown field", broadcastURL, "application/json", `{"data":[],"extra":1}`, 400, CodeInvalidInput},
		{"unknown nested field", broadcastURL, "application/json", `{"header":{"topic":"t"}}`, 400, CodeInvalidInput},
		{"trailing data", broadcastURL, "application/json", `{"data":[]} {}`, 400, CodeInvalidInput},
		{"trailing garbage", broadcastURL, "application/json", `{"data":[]}x`, 400, CodeInvalidInput},
		{"empty body", broadcastURL, "application/json", ``, 400, CodeInvalidInput},
		{"bad uuid in body", broadcastURL, "application/json", `{"header":{"cid":"nope"}}`, 400, CodeInvalidInput},
		{"no content type", broadcastURL, "", `{}`, 415, CodeUnsupportedMediaType},
		{"form content type", broadcastURL, "application/x-www-form-urlencoded", `{}`, 415, CodeUnsupportedMediaType},
		{"bad namespace", "/api/v1/namespaces/-x/messages/broadcast", "application/json", `{}`, 400, CodeInvalidInput},
		{"bad confirm", broadcastURL + "?confirm=maybe", "application/json", `{}`, 400, CodeInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := &fakeBackend{}
			rec := request(newTestServer(fb).Handler(), http.MethodPost, tt.url, tt.contentType, strings.NewReader(tt.body))
			requireError(t, rec, tt.status, tt.code)
			assert.Empty(t, fb.ns, "the backend must not be called")
		})
	}
}

func TestSendAcceptsJSONWithCharsetAndTrailingSpace(t *testing.T) {
	rec := request(newTestServer(&fakeBackend{}).Handler(), http.MethodPost, broadcastURL,
		"application/json; charset=utf-8", strings.NewReader("{\"data\":[{\"value\":1}]}\n\t "))
	assert.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
}

func TestSendBodyTooLarge(t *testing.T) {
	small := func(c *Config) { c.MaxBodyBytes = 64 }
	big := `{"data":[{"value":"` + strings.Repeat("x", 100) + `"}]}`

	t.Run("declared length", func(t *testing.T) {
		fb := &fakeBackend{}
		rec := postJSON(newTestServer(fb, small).Handler(), broadcastURL, big)
		requireError(t, rec, http.StatusRequestEntityTooLarge, CodeTooLarge)
		assert.Empty(t, fb.ns)
	})
	t.Run("chunked", func(t *testing.T) {
		fb := &fakeBackend{}
		req := strings.NewReader(big)
		// An io.Reader the request cannot measure: no Content-Length.
		rec := request(newTestServer(fb, small).Handler(), http.MethodPost, broadcastURL, "application/json",
			struct{ *strings.Reader }{req})
		requireError(t, rec, http.StatusRequestEntityTooLarge, CodeTooLarge)
		assert.Empty(t, fb.ns)
	})
	t.Run("trailing data past the limit", func(t *testing.T) {
		body := `{"data":[]}` + strings.Repeat(" ", 60) + "x"
		rec := request(newTestServer(&fakeBackend{}, small).Handler(), http.MethodPost, broadcastURL,
			"application/json", struct{ *strings.Reader }{strings.NewReader(body)})
		requireError(t, rec, http.StatusRequestEntityTooLarge, CodeTooLarge)
	})
}

func TestConfirm(t *testing.T) {
	for _, state := range []messaging.MessageState{messaging.StateConfirmed, messaging.StateRejected} {
		t.Run(string(state), func(t *testing.T) {
			decided := newView("broadcast", state)
			fb := &fakeBackend{awaitDecision: func(ctx context.Context, _ uuid.UUID) (messaging.MessageView, error) {
				_, hasDeadline := ctx.Deadline()
				assert.True(t, hasDeadline, "the wait must be bounded")
				return decided, nil
			}}
			rec := postJSON(newTestServer(fb).Handler(), broadcastURL+"?confirm=true", `{"data":[{"value":1}]}`)
			require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
			body := decodeBody(t, rec)
			assert.Equal(t, string(state), body["state"])
		})
	}
}

func TestConfirmTimeoutAnswersLatestView(t *testing.T) {
	sent := newView("broadcast", messaging.StatePending)
	latest := newView("broadcast", messaging.StatePending)
	var askedFor uuid.UUID
	fb := &fakeBackend{
		broadcast: func(context.Context, messaging.SendRequest) (messaging.MessageView, error) { return sent, nil },
		awaitDecision: func(ctx context.Context, id uuid.UUID) (messaging.MessageView, error) {
			<-ctx.Done()
			return messaging.MessageView{}, ctx.Err()
		},
		message: func(_ context.Context, id uuid.UUID) (messaging.MessageView, error) {
			askedFor = id
			return latest, nil
		},
	}
	s := newTestServer(fb, func(c *Config) { c.ConfirmTimeout = 20 * time.Millisecond })

	rec := postJSON(s.Handler(), broadcastURL+"?confirm=true", `{"data":[{"value":1}]}`)

	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	assert.Equal(t, sent.Header.ID(), askedFor)
	header := decodeBody(t, rec)["header"].(map[string]any)
	assert.Equal(t, latest.Header.ID().String(), header["id"])
}

func TestConfirmTimeoutFallsBackToSentView(t *testing.T) {
	sent := newView("broadcast", messaging.StatePending)
	fb := &fakeBackend{
		broadcast: func(context.Context, messaging.SendRequest) (messaging.MessageView, error) { return sent, nil },
		awaitDecision: func(ctx context.Context, _ uuid.UUID) (messaging.MessageView, error) {
			<-ctx.Done()
			return messaging.MessageView{}, ctx.Err()
		},
		message: func(context.Context, uuid.UUID) (messaging.MessageView, error) {
			return messaging.MessageView{}, messaging.ErrNotFound
		},
	}
	s := newTestServer(fb, func(c *Config) { c.ConfirmTimeout = time.Millisecond })

	rec := postJSON(s.Handler(), broadcastURL+"?confirm=true", `{"data":[{"value":1}]}`)

	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	header := decodeBody(t, rec)["header"].(map[string]any)
	assert.Equal(t, sent.Header.ID().String(), header["id"])
}

func TestConfirmWaitFailure(t *testing.T) {
	fb := &fakeBackend{awaitDecision: func(context.Context, uuid.UUID) (messaging.MessageView, error) {
		return messaging.MessageView{}, messaging.ErrNotReady
	}}
	rec := postJSON(newTestServer(fb).Handler(), broadcastURL+"?confirm=true", `{"data":[]}`)
	requireError(t, rec, http.StatusServiceUnavailable, CodeNotReady)
}

func TestConfirmFalseDoesNotWait(t *testing.T) {
	fb := &fakeBackend{awaitDecision: func(context.Context, uuid.UUID) (messaging.MessageView, error) {
		t.Error("AwaitDecision called without confirm=true")
		return messaging.MessageView{}, nil
	}}
	rec := postJSON(newTestServer(fb).Handler(), broadcastURL+"?confirm=false", `{"data":[]}`)
	assert.Equal(t, http.StatusAccepted, rec.Code)
}

func TestGetMessage(t *testing.T) {
	view := newView("broadcast", messaging.StateConfirmed)
	var asked uuid.UUID
	fb := &fakeBackend{message: func(_ context.Context, id uuid.UUID) (messaging.MessageView, error) {
		asked = id
		return view, nil
	}}
	h := newTestServer(fb).Handler()
	id := uuid.New()

	rec := request(h, http.MethodGet, "/api/v1/namespaces/ns1/messages/"+id.String(), "", nil)

	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, id, asked)
	assert.Equal(t, "confirmed", decodeBody(t, rec)["state"])

	for _, bad := range []string{"nope", "00000000-0000-0000-0000-000000000000",
		strings.ReplaceAll(id.String(), "-", ""), "urn:uuid:" + id.String()} {
		rec := request(h, http.MethodGet, "/api/v1/namespaces/ns1/messages/"+bad, "", nil)
		requireError(t, rec, http.StatusBadRequest, CodeInvalidInput)
	}
}

func TestDefineDatatype(t *testing.T) {
	fb := &fakeBackend{}
	h := newTestServer(fb).Handler()

	rec := postJSON(h, datatypesURL, `{"name":"widget","version":"1.0","schema":{"type":"object"}}`)

	require.Equal(t, http.StatusAccepted, rec.Code, rec.Body.String())
	assert.Equal(t, "widget", fb.datatype.Name)
	assert.Equal(t, "1.0", fb.datatype.Version)
	assert.JSONEq(t, `{"type":"object"}`, string(fb.datatype.Schema))

	rec = postJSON(h, datatypesURL+"?confirm=true", `{"name":"widget","version":"1.1","schema":{}}`)
	require.Equal(t, http.StatusOK, rec.Code, rec.Body.String())
	assert.Equal(t, "confirmed", decodeBody(t, rec)["state"])

	rec = postJSON(h, datatypesURL, `{"name":"widget","version":"1.0","schema":{},"description":"x"}`)
	requireError(t, rec, http.StatusBadRequest, CodeInvalidInput)
}

func TestTypeErrorsSpeakJSON(t *testing.T) {
	h := newTestServer(&fakeBackend{}).Handler()
	tests := map[string]string{
		`{"data":"x"}`:                           "data: expected an array, got a JSON string",
		`[1]`:                                    "body: expected an object, got a JSON array",
		`{"header":{"cid":5}}`:                   "header.cid: expected a string, got a JSON number",
		`{"header":{"topics":[true]}}`:           "header.topics: expected a string, got a JSON bool",
		`{"data":[{"datatype":"x"}]}`:            "data.datatype: expected an object, got a JSON string",
		`{"group":{"members":[{"identity":1}]}}`: "group.members.identity: expected a string, got a JSON number",
	}
	for body, want := range tests {
		got := requireError(t, postJSON(h, broadcastURL, body), http.StatusBadRequest, CodeInvalidInput)
		assert.Contains(t, got.Message, want, body)
	}
}
