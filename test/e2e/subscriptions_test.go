//go:build integration

package e2e_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// wsEvent is what the WebSocket delivers (written from api/README.md and
// the OpenAPI description of /ws, not borrowed from the server).
type wsEvent struct {
	Type      string   `json:"type"`
	ID        string   `json:"id"`
	Sequence  uint64   `json:"sequence"`
	Reference string   `json:"reference"`
	Topics    []string `json:"topics"`
	Error     string   `json:"error"`
	Message   string   `json:"message"`
}

func wsDial(t *testing.T, apiURL string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, res, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(apiURL, "http")+"/ws", nil)
	require.NoError(t, err)
	if res.Body != nil {
		_ = res.Body.Close()
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	return conn
}

func wsSend(t *testing.T, conn *websocket.Conn, frame any) {
	t.Helper()
	raw, err := json.Marshal(frame)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, conn.Write(ctx, websocket.MessageText, raw))
}

func wsRead(t *testing.T, conn *websocket.Conn, timeout time.Duration) wsEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	_, raw, err := conn.Read(ctx)
	require.NoError(t, err)
	var ev wsEvent
	require.NoError(t, json.Unmarshal(raw, &ev), string(raw))
	require.NotEqual(t, "protocol_error", ev.Type, "%s: %s", ev.Error, ev.Message)
	return ev
}

// TestWebSocketSubscriptionResumesAfterAck: a WebSocket client of org1
// receives the message_confirmed events of messages org2 broadcasts, in
// order, acknowledges half, reconnects and gets exactly the rest.
func TestWebSocketSubscriptionResumesAfterAck(t *testing.T) {
	n := startNetwork(t, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	sub := map[string]any{"name": "e2e-orders", "transport": "websocket",
		"filter":  map[string]any{"events": []string{"message_confirmed"}, "topics": "^e2e-orders$"},
		"options": map[string]any{"firstEvent": "newest", "readAhead": 20}}
	var created struct {
		Name string `json:"name"`
	}
	require.NoError(t, n.clients[0].do(ctx, http.MethodPost, "/namespaces/"+namespace+"/subscriptions", sub, &created,
		http.StatusCreated))
	require.Equal(t, "e2e-orders", created.Name)

	conn := wsDial(t, n.Members()[0].APIURL())
	wsSend(t, conn, map[string]any{"type": "start", "namespace": namespace, "name": "e2e-orders"})
	require.Equal(t, "started", wsRead(t, conn, 10*time.Second).Type)

	const total = 10
	sent := map[string]bool{}
	for i := range total {
		v, err := n.clients[1].Broadcast(ctx, []string{"e2e-orders"}, map[string]any{"n": i})
		require.NoError(t, err)
		sent[v.Header.ID] = true
	}

	var got []wsEvent
	for len(got) < total/2 {
		ev := wsRead(t, conn, time.Minute)
		got = append(got, ev)
		wsSend(t, conn, map[string]any{"type": "ack", "id": ev.ID})
	}
	// One more, delivered but never acknowledged: it must come again.
	unacked := wsRead(t, conn, time.Minute)
	require.NoError(t, conn.Close(websocket.StatusNormalClosure, "reconnecting"))

	conn = wsDial(t, n.Members()[0].APIURL())
	wsSend(t, conn, map[string]any{"type": "start", "namespace": namespace, "name": "e2e-orders"})
	require.Equal(t, "started", wsRead(t, conn, 10*time.Second).Type)
	again := wsRead(t, conn, time.Minute)
	assert.Equal(t, unacked.ID, again.ID, "the unacknowledged event comes first after the reconnect")
	got = append(got, again)
	wsSend(t, conn, map[string]any{"type": "ack", "id": again.ID})
	for len(got) < total {
		ev := wsRead(t, conn, time.Minute)
		got = append(got, ev)
		wsSend(t, conn, map[string]any{"type": "ack", "id": ev.ID})
	}

	seen := map[string]bool{}
	for i, ev := range got {
		assert.Equal(t, "message_confirmed", ev.Type)
		assert.True(t, sent[ev.Reference], "event %d is about message %s, which was not sent", i, ev.Reference)
		assert.False(t, seen[ev.Reference], "message %s delivered twice after its ack", ev.Reference)
		seen[ev.Reference] = true
		if i > 0 {
			assert.Greater(t, ev.Sequence, got[i-1].Sequence, fmt.Sprintf("event %d out of order", i))
		}
	}
	assert.Len(t, seen, total)
}
