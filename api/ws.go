package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

const (
	// wsReadLimit bounds one client frame: starts and acks are small.
	wsReadLimit = 64 << 10
	// wsMaxStreams bounds the streams of one connection: each holds a
	// goroutine and up to a page of rows, so a client starting streams
	// without end would grow the node's memory without bound.
	wsMaxStreams = 64
	// wsWriteTimeout bounds one frame's write. A client that reads slower
	// than that loses its connection; its unacknowledged events are
	// delivered again when it reconnects.
	wsWriteTimeout = 10 * time.Second
)

// getWS: GET /ws, the WebSocket event stream (see wsFrame for the
// protocol).
func (s *Server) getWS(c echo.Context) error {
	if s.deps.streams == nil {
		return errNoSubscriptions
	}
	conn, err := websocket.Accept(c.Response().Writer, c.Request(), nil)
	if err != nil {
		// Accept has answered the request already (400 or 403).
		s.log.Debug().Err(err).Msg("websocket upgrade refused")
		return nil
	}
	conn.SetReadLimit(wsReadLimit)
	ws := &wsConn{s: s, conn: conn, streams: map[wsKey]subscription.Stream{}}
	ws.serve(c.Request())
	return nil
}

type wsKey struct{ ns, name string }

// wsConn is one client connection: a reader of client frames (this
// goroutine) and one pump per started stream writing its events.
type wsConn struct {
	s       *Server
	conn    *websocket.Conn
	writeMu sync.Mutex
	mu      sync.Mutex
	streams map[wsKey]subscription.Stream
	pumps   sync.WaitGroup
}

func (ws *wsConn) serve(req *http.Request) {
	ctx, cancel := context.WithCancel(ws.s.stopping)
	defer cancel()
	stopReq := context.AfterFunc(req.Context(), cancel)
	defer stopReq()
	defer func() {
		cancel()
		ws.closeStreams()
		ws.pumps.Wait()
		_ = ws.conn.Close(websocket.StatusNormalClosure, "")
	}()
	for {
		typ, data, err := ws.conn.Read(ctx)
		if err != nil {
			return
		}
		if typ != websocket.MessageText {
			ws.sendError(ctx, fmt.Errorf("%w: frames are JSON text", messaging.ErrInvalidInput), "", "")
			continue
		}
		f, err := parseWSFrame(data)
		if err != nil {
			ws.sendError(ctx, err, "", "")
			continue
		}
		switch f.Type {
		case wsStart:
			ws.start(ctx, f)
		case wsAck:
			ws.ack(ctx, f)
		}
	}
}

func (ws *wsConn) start(ctx context.Context, f wsFrame) {
	if b, ok := ws.s.backend.(namespaceServer); ok && !b.Serves(f.Namespace) {
		ws.sendError(ctx, fmt.Errorf("%w: this node does not serve namespace %q", messaging.ErrUnknownNamespace,
			truncate(f.Namespace)), f.Namespace, f.Name)
		return
	}
	key := wsKey{f.Namespace, f.Name}
	ws.mu.Lock()
	_, dup := ws.streams[key]
	open := len(ws.streams)
	ws.mu.Unlock()
	if open >= wsMaxStreams {
		ws.sendError(ctx, fmt.Errorf("%w: %d streams are open on this connection, the most it takes; open another connection",
			messaging.ErrConflict, open), f.Namespace, f.Name)
		return
	}
	if dup && f.Name != "" {
		ws.sendError(ctx, fmt.Errorf("%w: subscription %q is started on this connection already", messaging.ErrConflict,
			f.Name), f.Namespace, f.Name)
		return
	}
	st, err := ws.s.deps.streams.Open(ctx, f.request())
	if err != nil {
		ws.sendError(ctx, subscriptionError(err), f.Namespace, f.Name)
		return
	}
	if f.Name == "" {
		// Ephemeral streams are told apart by a private key of their own.
		key.name = fmt.Sprintf("\x00ephemeral-%p", st)
	}
	ws.mu.Lock()
	ws.streams[key] = st
	ws.mu.Unlock()
	ws.send(ctx, wsStarted{Type: "started", Namespace: f.Namespace, Name: f.Name})
	ws.pumps.Add(1)
	go ws.pump(ctx, key, f, st)
}

// pump writes a stream's events until the connection or the stream ends.
func (ws *wsConn) pump(ctx context.Context, key wsKey, f wsFrame, st subscription.Stream) {
	defer ws.pumps.Done()
	for {
		d, err := st.Next(ctx)
		if err != nil {
			if ctx.Err() == nil {
				ws.sendError(ctx, subscriptionError(err), f.Namespace, f.Name)
			}
			ws.mu.Lock()
			if ws.streams[key] == st {
				delete(ws.streams, key)
			}
			ws.mu.Unlock()
			_ = st.Close()
			return
		}
		if err := ws.write(ctx, d.Event); err != nil {
			return
		}
	}
}

func (ws *wsConn) ack(ctx context.Context, f wsFrame) {
	ws.mu.Lock()
	var targets []subscription.Stream
	for k, st := range ws.streams {
		if (f.Namespace == "" || k.ns == f.Namespace) && (f.Name == "" || k.name == f.Name) {
			targets = append(targets, st)
		}
	}
	ws.mu.Unlock()
	if f.ID == "" && len(targets) > 1 {
		// "The oldest event" is only one event when one stream is meant:
		// acking another stream's would move its offset past an event the
		// client has not handled.
		ws.sendError(ctx, fmt.Errorf("%w: ack without an id: %d streams are open on this connection; name the subscription (namespace and name) or give the event id",
			messaging.ErrInvalidInput, len(targets)), f.Namespace, f.Name)
		return
	}
	for _, st := range targets {
		if err := st.Ack(f.ackID); err == nil {
			return
		}
	}
	what := "the oldest event"
	if f.ID != "" {
		what = "event " + f.ID
	}
	ws.sendError(ctx, fmt.Errorf("%w: ack: %s is not awaiting an ack on this connection", messaging.ErrNotFound, what),
		f.Namespace, f.Name)
}

func (ws *wsConn) closeStreams() {
	ws.mu.Lock()
	streams := ws.streams
	ws.streams = map[wsKey]subscription.Stream{}
	ws.mu.Unlock()
	for _, st := range streams {
		_ = st.Close()
	}
}

func (ws *wsConn) sendError(ctx context.Context, err error, ns, name string) {
	status, body := describe(err, &http.Request{Method: http.MethodGet})
	if status == http.StatusInternalServerError && !errors.Is(err, context.Canceled) {
		ws.s.log.Error().Err(err).Str("namespace", ns).Str("subscription", name).Msg("websocket stream failed")
	}
	ws.send(ctx, wsError{Type: "protocol_error", Code: body.Code, Message: body.Message, Namespace: ns, Name: name})
}

func (ws *wsConn) send(ctx context.Context, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		ws.s.log.Error().Err(err).Msg("encoding a websocket frame")
		return
	}
	_ = ws.write(ctx, data)
}

func (ws *wsConn) write(ctx context.Context, data []byte) error {
	ws.writeMu.Lock()
	defer ws.writeMu.Unlock()
	wctx, cancel := context.WithTimeout(ctx, wsWriteTimeout)
	defer cancel()
	return ws.conn.Write(wctx, websocket.MessageText, data)
}
