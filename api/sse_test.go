package api

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sseEvent is one parsed Server-Sent Event.
type sseEvent struct{ id, event, data string }

// readSSE opens target with Last-Event-ID lastID (when not empty) and
// reads n events.
func readSSE(t *testing.T, f *subsFixture, target, lastID string, n int) []sseEvent {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.http.URL+target, nil)
	require.NoError(t, err)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	require.Equal(t, 200, res.StatusCode)
	assert.Equal(t, "text/event-stream", res.Header.Get("Content-Type"))
	sc := bufio.NewScanner(res.Body)
	var out []sseEvent
	var cur sseEvent
	for len(out) < n && sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur != (sseEvent{}) {
				out = append(out, cur)
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "id: "):
			cur.id = line[4:]
		case strings.HasPrefix(line, "event: "):
			cur.event = line[7:]
		case strings.HasPrefix(line, "data: "):
			cur.data = line[6:]
		}
	}
	require.Len(t, out, n, "scan: %v", sc.Err())
	return out
}

func TestSubscriptionSSEResumesWithLastEventID(t *testing.T) {
	f := newSubsFixture(t)
	require.Equal(t, 201, postJSON(f.srv.Handler(), subsPath,
		`{"name":"feed","transport":"sse","options":{"firstEvent":"oldest"}}`).Code)
	docs := f.add(4, "t")
	got := readSSE(t, f, subsPath+"/feed/sse", "", 2)
	assert.Equal(t, strconv.FormatInt(docs[0].Sequence, 10), got[0].id)
	assert.Equal(t, "message_confirmed", got[0].event)
	assert.Contains(t, got[0].data, docs[0].ID.String())
	assert.Equal(t, strconv.FormatInt(docs[1].Sequence, 10), got[1].id)

	// Last-Event-ID wins over the committed offset.
	got = readSSE(t, f, subsPath+"/feed/sse", strconv.FormatInt(docs[2].Sequence, 10), 1)
	assert.Equal(t, strconv.FormatInt(docs[3].Sequence, 10), got[0].id)

	requireError(t, request(f.srv.Handler(), "GET", subsPath+"/nosuch/sse", "", nil), 404, CodeNotFound)
}

func TestEventStreamFrom(t *testing.T) {
	f := newSubsFixture(t)
	docs := append(f.add(2, "a"), f.add(2, "b")...)
	from := strconv.FormatInt(docs[0].Sequence, 10)
	got := readSSE(t, f, "/api/v1/namespaces/default/events/stream?from="+from+"&topics=^b$", "", 2)
	assert.Equal(t, strconv.FormatInt(docs[2].Sequence, 10), got[0].id)
	assert.Equal(t, strconv.FormatInt(docs[3].Sequence, 10), got[1].id)

	h := f.srv.Handler()
	for _, bad := range []string{"?from=x", "?topics=(", "?nosuch=1", "?events=nope"} {
		requireError(t, request(h, "GET", "/api/v1/namespaces/default/events/stream"+bad, "", nil), 400, CodeInvalidInput)
	}
}
