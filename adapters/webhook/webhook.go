package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Headers of a webhook request.
const (
	HeaderSignature    = "X-LM-Signature"
	HeaderEventID      = "X-LM-Event-Id"
	HeaderSequence     = "X-LM-Sequence"
	HeaderEventType    = "X-LM-Event-Type"
	HeaderSubscription = "X-LM-Subscription"
)

// signaturePrefix names the scheme in X-LM-Signature.
const signaturePrefix = "sha256="

// Sign returns the X-LM-Signature value of body under secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether header is body's signature under secret, in
// constant time.
func Verify(secret, body []byte, header string) bool {
	got, ok := strings.CutPrefix(header, signaturePrefix)
	if !ok {
		return false
	}
	raw, err := hex.DecodeString(got)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(raw, mac.Sum(nil))
}

// Config tunes a Client.
type Config struct {
	// Timeout bounds one attempt, connection to response (default 10s).
	Timeout time.Duration
}

// Client posts events. It is safe for concurrent use.
type Client struct {
	http *http.Client
}

// New returns a client. It follows no redirect: a receiver that moved
// says so with a 3xx, which counts as a failure, rather than the event
// (and its signature) going to a host the subscription did not name.
func New(cfg Config) *Client {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	return &Client{http: &http.Client{Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// Request is one event to post.
type Request struct {
	URL      string
	Secret   []byte
	EventID  string
	Sequence uint64
	Type     string
	// Subscription is "<namespace>/<name>".
	Subscription string
	Body         []byte
}

// StatusError is a receiver's answer other than 2xx.
type StatusError struct {
	Status int
	// Body is the start of the answer, for the dead letter's reason.
	Body string
}

func (e *StatusError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("webhook answered %d %s", e.Status, http.StatusText(e.Status))
	}
	return fmt.Sprintf("webhook answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Body)
}

// maxErrorBody is how much of a failed answer is kept.
const maxErrorBody = 256

// Post makes one attempt. It returns nil on a 2xx, a *StatusError on
// another status, and the transport's error otherwise (ctx's when ctx
// ended).
func (c *Client) Post(ctx context.Context, r Request) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return fmt.Errorf("webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "ledgermirror-webhook")
	req.Header.Set(HeaderSignature, Sign(r.Secret, r.Body))
	req.Header.Set(HeaderEventID, r.EventID)
	req.Header.Set(HeaderSequence, strconv.FormatUint(r.Sequence, 10))
	req.Header.Set(HeaderEventType, r.Type)
	req.Header.Set(HeaderSubscription, r.Subscription)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("webhook post: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Read a little so the connection can be reused; a receiver
		// that streams a long answer does not hold the delivery up.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	head, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	return &StatusError{Status: resp.StatusCode, Body: strings.ToValidUTF8(strings.TrimSpace(string(head)), "")}
}

// CloseIdle closes idle connections, for a subscription that stops.
func (c *Client) CloseIdle() { c.http.CloseIdleConnections() }
