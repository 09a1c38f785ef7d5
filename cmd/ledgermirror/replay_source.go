package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/subscription"
)

// replayPageSize is how many events one GET /events asks for (the API's
// most is 1000).
const replayPageSize = 500

// maxEventPage bounds one page's answer: 500 events of a few KiB each.
const maxEventPage = 64 << 20

// listedEvent is one app-facing event read from a node's API: its JSON as
// GET /events/{sequence} returns it, and what a filter looks at.
type listedEvent struct {
	Sequence uint64
	ID       string
	Type     string
	// JSON is the document, compact (one NDJSON line).
	JSON   json.RawMessage
	Fields subscription.EventFields
}

// eventSource reads a namespace's app-facing event list through a running
// node's REST API. It only reads: nothing it does changes the node.
type eventSource struct {
	// events is .../api/v1/namespaces/<ns>/events.
	events string
	client *http.Client
	// types, when set, is sent as the list's type filter, so that the node
	// skips other events itself.
	types []string
	retry subscription.RetryPolicy
	// pageSize is the events one GET asks for (replayPageSize).
	pageSize int
}

func newEventSource(api, namespace string, types []string, timeout time.Duration, retry subscription.RetryPolicy) *eventSource {
	return &eventSource{
		events:   strings.TrimRight(api, "/") + "/api/v1/namespaces/" + url.PathEscape(namespace) + "/events",
		client:   &http.Client{Timeout: timeout},
		types:    types,
		retry:    retry,
		pageSize: replayPageSize,
	}
}

// head returns the newest event's sequence, and false when the list is
// empty.
func (s *eventSource) head(ctx context.Context) (uint64, bool, error) {
	page, err := s.get(ctx, url.Values{"sort": {"-sequence"}, "limit": {"1"}})
	if err != nil || len(page) == 0 {
		return 0, false, err
	}
	return page[0].Sequence, true, nil
}

// page returns up to pageSize events from sequence from on, in
// sequence order (with the type filter when the source has one).
func (s *eventSource) page(ctx context.Context, from uint64) ([]listedEvent, error) {
	q := url.Values{"sequence": {">=" + strconv.FormatUint(from, 10)}, "sort": {"sequence"},
		"limit": {strconv.Itoa(s.pageSize)}}
	if len(s.types) > 0 {
		q.Set("type", "@"+strings.Join(s.types, ","))
	}
	page, err := s.get(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(page) > 0 && page[0].Sequence < from {
		return nil, fmt.Errorf("GET %s: asked for events from sequence %d, got %d first", s.events, from, page[0].Sequence)
	}
	return page, nil
}

// get reads one page, retrying what may pass (the node unreachable or
// answering 5xx, e.g. 503 while it starts) with the source's back-off.
func (s *eventSource) get(ctx context.Context, q url.Values) ([]listedEvent, error) {
	u := s.events + "?" + q.Encode()
	delays := s.retry.Delays()
	for attempt := 0; ; attempt++ {
		page, retry, err := s.getOnce(ctx, u)
		if err == nil || !retry || attempt >= len(delays) {
			return page, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delays[attempt]):
		}
	}
}

func (s *eventSource) getOnce(ctx context.Context, u string) (_ []listedEvent, retry bool, _ error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, fmt.Errorf("GET %s: %w", u, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		return nil, true, fmt.Errorf("reading the node's events (is it running at --api?): %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxEventPage+1))
	if err != nil {
		return nil, true, fmt.Errorf("GET %s: reading the answer: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, resp.StatusCode >= 500, fmt.Errorf("GET %s: %s", u, describeAPIError(resp.StatusCode, body))
	}
	if len(body) > maxEventPage {
		return nil, false, fmt.Errorf("GET %s: answer larger than %d bytes", u, maxEventPage)
	}
	page, err := parseEventPage(body)
	if err != nil {
		return nil, false, fmt.Errorf("GET %s: %w", u, err)
	}
	return page, false, nil
}

// describeAPIError is a failed answer in words: the API's error code and
// message when it sent one ({"error": "LM10xxx", "message": "..."}).
func describeAPIError(status int, body []byte) string {
	var e struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &e) == nil && e.Message != "" {
		return fmt.Sprintf("%d %s: %s", status, e.Error, e.Message)
	}
	head := strings.ToValidUTF8(strings.TrimSpace(string(body[:min(len(body), 200)])), "")
	return strings.TrimSpace(fmt.Sprintf("%d %s %s", status, http.StatusText(status), head))
}

// parseEventPage reads a GET /events answer, a JSON array of event
// documents. Each must carry a sequence, an id and a type, and the
// sequences must grow: a page that breaks this is refused rather than
// re-emitted out of order.
func parseEventPage(body []byte) ([]listedEvent, error) {
	var docs []json.RawMessage
	if err := json.Unmarshal(body, &docs); err != nil {
		return nil, fmt.Errorf("the answer is not a JSON array of events: %w", err)
	}
	out := make([]listedEvent, 0, len(docs))
	for i, doc := range docs {
		var d struct {
			ID       string   `json:"id"`
			Sequence *uint64  `json:"sequence"`
			Type     string   `json:"type"`
			Topics   []string `json:"topics"`
			Tag      string   `json:"tag"`
			Author   string   `json:"author"`
			Group    string   `json:"group"`
		}
		if err := json.Unmarshal(doc, &d); err != nil {
			return nil, fmt.Errorf("event [%d]: %w", i, err)
		}
		if d.Sequence == nil || d.ID == "" || d.Type == "" {
			return nil, fmt.Errorf("event [%d]: no sequence, id or type", i)
		}
		if i > 0 && *d.Sequence <= out[i-1].Sequence {
			return nil, fmt.Errorf("event [%d]: sequence %d after %d", i, *d.Sequence, out[i-1].Sequence)
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, doc); err != nil {
			return nil, fmt.Errorf("event [%d]: %w", i, err)
		}
		out = append(out, listedEvent{Sequence: *d.Sequence, ID: d.ID, Type: d.Type, JSON: compact.Bytes(),
			Fields: subscription.EventFields{Type: d.Type, Topics: d.Topics, Tag: d.Tag, Author: d.Author, Group: d.Group}})
	}
	return out, nil
}
