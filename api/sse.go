package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// sseKeepAlive is how often an idle SSE stream sends a comment, so that
// proxies and clients keep the connection and a dead client is noticed.
const sseKeepAlive = 15 * time.Second

// getSubscriptionSSE: GET /namespaces/:ns/subscriptions/:name/sse. The
// stream resumes after Last-Event-ID when the client sends it (an
// EventSource does on reconnect), after the subscription's offset
// otherwise; each event counts as acknowledged once written and flushed.
func (s *Server) getSubscriptionSSE(c echo.Context) error {
	ns, name, err := s.subscriptionParams(c, true)
	if err != nil {
		return err
	}
	if s.deps.streams == nil {
		return errNoSubscriptions
	}
	after, err := lastEventID(c.Request())
	if err != nil {
		return err
	}
	return s.serveSSE(c, subscription.StreamRequest{Namespace: ns, Name: name, After: after})
}

// getEventStream: GET /namespaces/:ns/events/stream?from=OFFSET, an ad-hoc
// replay of the event list after OFFSET (the newest event when absent),
// optionally filtered by the subscription filter's fields as query
// parameters (events, topics, tag, author, group, type).
func (s *Server) getEventStream(c echo.Context) error {
	ns, err := namespaceParam(c)
	if err != nil {
		return err
	}
	if s.deps.streams == nil {
		return errNoSubscriptions
	}
	q := c.QueryParams()
	req := subscription.StreamRequest{Namespace: ns, Filter: subscription.FilterSpec{Topics: q.Get("topics"),
		Tag: q.Get("tag"), Author: q.Get("author"), Group: q.Get("group"), Type: q.Get("type")}}
	for _, v := range q["events"] {
		req.Filter.Events = append(req.Filter.Events, strings.Split(v, ",")...)
	}
	for name := range q {
		switch name {
		case "from", "events", "topics", "tag", "author", "group", "type":
		default:
			return fmt.Errorf("%w: unknown query parameter %q (from, events, topics, tag, author, group, type)",
				messaging.ErrInvalidInput, truncate(name))
		}
	}
	if from := q.Get("from"); from != "" {
		n, err := strconv.ParseUint(from, 10, 64)
		if err != nil {
			return fmt.Errorf("%w: from %q is not an offset", messaging.ErrInvalidInput, truncate(from))
		}
		req.After = &n
	}
	// A reconnecting EventSource repeats the URL; Last-Event-ID says where
	// it really is.
	if after, err := lastEventID(c.Request()); err != nil {
		return err
	} else if after != nil {
		req.After = after
	}
	return s.serveSSE(c, req)
}

func lastEventID(r *http.Request) (*uint64, error) {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return nil, fmt.Errorf("%w: Last-Event-ID %q is not an event sequence", messaging.ErrInvalidInput, truncate(v))
	}
	return &n, nil
}

// serveSSE streams req's events until the client leaves or the server
// stops. Errors before the first byte are answered as usual; a stream
// that ends later (deleted, taken over) ends the response with an "error"
// event.
func (s *Server) serveSSE(c echo.Context, req subscription.StreamRequest) error {
	ctx, cancel := context.WithCancel(c.Request().Context())
	defer cancel()
	defer context.AfterFunc(s.stopping, cancel)()
	st, err := s.deps.streams.Open(ctx, req)
	if err != nil {
		return subscriptionError(err)
	}
	defer func() { _ = st.Close() }()
	w := c.Response()
	w.Header().Set(echo.HeaderContentType, "text/event-stream")
	w.Header().Set(echo.HeaderCacheControl, "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	w.Flush()
	for {
		next, cancelNext := context.WithTimeout(ctx, sseKeepAlive)
		d, err := st.Next(next)
		cancelNext()
		switch {
		case err == nil:
		case errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil:
			if _, err := w.Write([]byte(": keep-alive\n\n")); err != nil {
				return nil
			}
			w.Flush()
			continue
		case ctx.Err() != nil:
			return nil
		default:
			_, body := describe(subscriptionError(err), c.Request())
			data, _ := json.Marshal(body)
			_, _ = fmt.Fprintf(w, "event: error\ndata: %s\n\n", data)
			w.Flush()
			return nil
		}
		if _, err := fmt.Fprintf(w, "id: %d\nevent: %s\ndata: %s\n\n", d.Sequence, d.Type, d.Event); err != nil {
			return nil
		}
		w.Flush()
		// Written and flushed: as acknowledged as an SSE client can say.
		_ = st.Ack(d.ID)
	}
}
