package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

func dialWS(t *testing.T, f *subsFixture) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(f.http.URL, "http")+"/ws", nil)
	require.NoError(t, err)
	if res.Body != nil {
		_ = res.Body.Close()
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	return &wsClient{t: t, conn: conn}
}

func (c *wsClient) send(frame string) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(c.t, c.conn.Write(ctx, websocket.MessageText, []byte(frame)))
}

func (c *wsClient) read() map[string]any {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := c.conn.Read(ctx)
	require.NoError(c.t, err)
	var m map[string]any
	require.NoError(c.t, json.Unmarshal(data, &m), string(data))
	return m
}

func (c *wsClient) expectError(code string) {
	c.t.Helper()
	m := c.read()
	require.Equal(c.t, "protocol_error", m["type"], "%v", m)
	assert.Equal(c.t, code, m["error"], "%v", m)
}

func TestWebSocketStartAckResume(t *testing.T) {
	f := newSubsFixture(t)
	require.Equal(t, 201, postJSON(f.srv.Handler(), subsPath,
		`{"name":"orders","transport":"websocket","options":{"firstEvent":"oldest","readAhead":2}}`).Code)
	docs := f.add(5, "orders")

	c := dialWS(t, f)
	c.send(`{"type":"start","namespace":"default","name":"orders"}`)
	assert.Equal(t, "started", c.read()["type"])
	e1, e2 := c.read(), c.read()
	assert.Equal(t, docs[0].ID.String(), e1["id"])
	assert.Equal(t, docs[1].ID.String(), e2["id"])
	assert.Equal(t, "message_confirmed", e1["type"])
	c.send(`{"type":"ack","id":"` + docs[0].ID.String() + `"}`)
	e3 := c.read()
	assert.Equal(t, docs[2].ID.String(), e3["id"])
	c.send(`{"type":"ack"}`) // the oldest: docs[1]
	assert.Equal(t, docs[3].ID.String(), c.read()["id"])
	require.NoError(t, c.conn.Close(websocket.StatusNormalClosure, ""))

	// docs[2] and docs[3] were not acknowledged: they come again.
	c2 := dialWS(t, f)
	c2.send(`{"type":"start","namespace":"default","name":"orders"}`)
	assert.Equal(t, "started", c2.read()["type"])
	assert.Equal(t, docs[2].ID.String(), c2.read()["id"])
	assert.Equal(t, docs[3].ID.String(), c2.read()["id"])
}

func TestWebSocketErrorsKeepTheConnection(t *testing.T) {
	f := newSubsFixture(t)
	c := dialWS(t, f)
	c.send(`{not json`)
	c.expectError(CodeInvalidInput)
	c.send(`{"type":"dance"}`)
	c.expectError(CodeInvalidInput)
	c.send(`{"type":"start","namespace":"default","name":"nosuch"}`)
	c.expectError(CodeNotFound)
	c.send(`{"type":"start","namespace":"other","name":"x"}`)
	m := c.read()
	assert.Equal(t, "protocol_error", m["type"])
	c.send(`{"type":"ack","id":"not-a-uuid"}`)
	c.expectError(CodeInvalidInput)
	c.send(`{"type":"ack"}`)
	c.expectError(CodeNotFound)
	c.send(`{"type":"start","namespace":"default","filter":{"tag":"("}}`)
	c.expectError(CodeInvalidInput)

	// Still open: an ephemeral start with autoack works.
	docs := f.add(3, "x")
	c.send(`{"type":"start","namespace":"default","filter":{"topics":"^x$"},"firstEvent":"oldest","autoack":true}`)
	assert.Equal(t, "started", c.read()["type"])
	for _, d := range docs {
		ev := c.read()
		assert.Equal(t, d.ID.String(), ev["id"])
		assert.Equal(t, map[string]any{"namespace": "default"}, ev["subscription"])
	}
}

func TestWebSocketDeleteEndsTheStream(t *testing.T) {
	f := newSubsFixture(t)
	require.Equal(t, 201, postJSON(f.srv.Handler(), subsPath, `{"name":"gone","transport":"websocket"}`).Code)
	c := dialWS(t, f)
	c.send(`{"type":"start","namespace":"default","name":"gone"}`)
	assert.Equal(t, "started", c.read()["type"])
	require.Equal(t, 204, request(f.srv.Handler(), "DELETE", subsPath+"/gone", "", nil).Code)
	f.add(1, "x") // wakes the stream, which then sees the delete
	c.expectError(CodeNotFound)
}

// TestWebSocketAckWithoutIDNeedsOneStream: with two subscriptions on one
// connection, an ack naming neither an event nor a subscription is refused
// (it could move the other stream's offset past an event the client has
// not handled); naming the subscription picks its oldest event.
func TestWebSocketAckWithoutIDNeedsOneStream(t *testing.T) {
	f := newSubsFixture(t)
	for _, name := range []string{"first", "second"} {
		require.Equal(t, 201, postJSON(f.srv.Handler(), subsPath,
			`{"name":"`+name+`","transport":"websocket","options":{"firstEvent":"oldest","readAhead":1}}`).Code)
	}
	docs := f.add(2, "orders")
	c := dialWS(t, f)
	c.send(`{"type":"start","namespace":"default","name":"first"}`)
	assert.Equal(t, "started", c.read()["type"])
	assert.Equal(t, docs[0].ID.String(), c.read()["id"])
	c.send(`{"type":"start","namespace":"default","name":"second"}`)
	assert.Equal(t, "started", c.read()["type"])
	assert.Equal(t, docs[0].ID.String(), c.read()["id"])

	c.send(`{"type":"ack"}`)
	c.expectError(CodeInvalidInput)
	c.send(`{"type":"ack","namespace":"default","name":"first"}`)
	ev := c.read()
	assert.Equal(t, docs[1].ID.String(), ev["id"])
	assert.Equal(t, "first", ev["subscription"].(map[string]any)["name"], "%v", ev)
}

// TestWebSocketBoundsStreams: a connection takes at most wsMaxStreams
// streams; the next start gets an error frame and the connection stays.
func TestWebSocketBoundsStreams(t *testing.T) {
	f := newSubsFixture(t)
	c := dialWS(t, f)
	for range wsMaxStreams {
		c.send(`{"type":"start","namespace":"default","filter":{"topics":"^none$"}}`)
		assert.Equal(t, "started", c.read()["type"])
	}
	c.send(`{"type":"start","namespace":"default","filter":{"topics":"^none$"}}`)
	c.expectError(CodeConflict)
}
