//go:build integration

package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// namespace is the one namespace every test uses.
const namespace = "default"

// apiClient is a small typed client of one member's REST API. Its types are
// written from api/README.md, not borrowed from the server, so the wire
// format is what is tested.
type apiClient struct {
	base string // e.g. http://127.0.0.1:5000
	http *http.Client
}

func newAPIClient(base string) *apiClient {
	return &apiClient{base: base, http: &http.Client{Timeout: 20 * time.Second}}
}

// messageView is the API's MessageView.
type messageView struct {
	Header struct {
		ID     string   `json:"id"`
		Type   string   `json:"type"`
		Author string   `json:"author"`
		Group  string   `json:"group"`
		Topics []string `json:"topics"`
	} `json:"header"`
	Hash   string `json:"hash"`
	State  string `json:"state"`
	Reason string `json:"reason"`
	Batch  string `json:"batch"`
}

// digest is one namespace digest and how many confirmations it covers.
type digest struct {
	Digest string `json:"digest"`
	Count  uint64 `json:"count"`
}

// digests is GET /digests: the broadcast digest and one per private group.
type digests struct {
	Broadcast digest            `json:"broadcast"`
	Groups    map[string]digest `json:"groups"`
}

// nodeStatus is GET /status.
type nodeStatus struct {
	Node       string `json:"node"`
	Org        string `json:"org"`
	Ready      bool   `json:"ready"`
	Namespaces []struct {
		Name       string   `json:"name"`
		Registered bool     `json:"registered"`
		ParkedPins int      `json:"parkedPins"`
		Aggregated uint64   `json:"aggregatedPosition"`
		Members    []string `json:"members"`
	} `json:"namespaces"`
	Cluster *struct {
		Instance string `json:"instance"`
		Roles    []struct {
			Role   string `json:"role"`
			Leader bool   `json:"leader"`
		} `json:"roles"`
	} `json:"cluster"`
}

// operation is one entry of GET /operations.
type operation struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Batch    string `json:"batch"`
	Target   string `json:"target"`
	Status   string `json:"status"`
	Attempts int    `json:"attempts"`
	Error    string `json:"error"`
}

// apiError is an answer with an unexpected status.
type apiError struct {
	Status  int
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %s", e.Status, e.Code, e.Message)
}

// statusOf returns the HTTP status of an *apiError, 0 for other errors.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// sendBody is the body of the sending routes.
type sendBody struct {
	Header struct {
		Topics []string `json:"topics,omitempty"`
	} `json:"header"`
	Data  []map[string]any `json:"data"`
	Group *groupBody       `json:"group,omitempty"`
}

type groupBody struct {
	Name    string       `json:"name,omitempty"`
	Members []memberBody `json:"members"`
}

type memberBody struct {
	Identity string `json:"identity"`
}

// Broadcast sends a broadcast with one data value, without waiting for
// the decision: the answer is 202 and the message pending.
func (c *apiClient) Broadcast(ctx context.Context, topics []string, value any) (messageView, error) {
	var b sendBody
	b.Header.Topics = topics
	b.Data = []map[string]any{{"value": value}}
	return c.send(ctx, "broadcast", b)
}

// Private sends a private message with one data value to the group of this
// member and the orgs (DIDs) named, without waiting for the decision.
func (c *apiClient) Private(ctx context.Context, topics []string, orgs []string, value any) (messageView, error) {
	var b sendBody
	b.Header.Topics = topics
	b.Data = []map[string]any{{"value": value}}
	b.Group = &groupBody{}
	for _, o := range orgs {
		b.Group.Members = append(b.Group.Members, memberBody{Identity: o})
	}
	return c.send(ctx, "private", b)
}

func (c *apiClient) send(ctx context.Context, kind string, body sendBody) (messageView, error) {
	var v messageView
	err := c.do(ctx, http.MethodPost, "/namespaces/"+namespace+"/messages/"+kind, body, &v, http.StatusAccepted)
	return v, err
}

// Message is GET /messages/{id}.
func (c *apiClient) Message(ctx context.Context, id string) (messageView, error) {
	var v messageView
	err := c.do(ctx, http.MethodGet, "/namespaces/"+namespace+"/messages/"+url.PathEscape(id), nil, &v, http.StatusOK)
	return v, err
}

// Digests is GET /digests.
func (c *apiClient) Digests(ctx context.Context) (digests, error) {
	var d digests
	err := c.do(ctx, http.MethodGet, "/namespaces/"+namespace+"/digests", nil, &d, http.StatusOK)
	return d, err
}

// Status is GET /status; a node that is not ready answers 503 with the same
// body, which is not an error here.
func (c *apiClient) Status(ctx context.Context) (nodeStatus, error) {
	var s nodeStatus
	err := c.do(ctx, http.MethodGet, "/status", nil, &s, http.StatusOK, http.StatusServiceUnavailable)
	return s, err
}

// Operations is GET /operations, newest first.
func (c *apiClient) Operations(ctx context.Context, limit int) ([]operation, error) {
	var ops []operation
	err := c.do(ctx, http.MethodGet, "/namespaces/"+namespace+"/operations?limit="+strconv.Itoa(limit), nil, &ops, http.StatusOK)
	return ops, err
}

// do sends one request and decodes the answer into out when its status is
// one of ok; any other status is an *apiError.
func (c *apiClient) do(ctx context.Context, method, path string, in, out any, ok ...int) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/api/v1"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("%s %s: reading the answer: %w", method, path, err)
	}
	for _, code := range ok {
		if resp.StatusCode == code {
			if err := json.Unmarshal(raw, out); err != nil {
				return fmt.Errorf("%s %s: decoding %q: %w", method, path, raw, err)
			}
			return nil
		}
	}
	ae := &apiError{Status: resp.StatusCode}
	if json.Unmarshal(raw, ae) != nil || ae.Code == "" {
		ae.Message = string(raw)
	}
	return ae
}
