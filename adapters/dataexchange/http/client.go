package http

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ledgermirror/ledgermirror/adapters/sharedstorage/local"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Route paths, below a node's data-exchange base URL.
const (
	batchesPath = "/dx/v1/batches"
	blobsPath   = "/dx/v1/blobs/"
	storagePath = local.StoragePath // the route local.SharedStorage's references name
	healthPath  = "/dx/v1/health"
)

// maxErrorBody bounds how much of a peer's error answer is read.
const maxErrorBody = 64 << 10

// Client is messaging.Transport over HTTP, signing every request as its node
// (package doc, "Authentication"). It is safe for concurrent use and keeps
// connections to peers alive between calls.
type Client struct {
	cfg  ClientConfig
	self protocol.NodeDID
	key  ed25519.PrivateKey
	http *http.Client
	now  func() time.Time
}

var _ messaging.Transport = (*Client)(nil)

// NewClient returns a client sending as self, signing with key (self's
// registered transport key). SetDefaults is applied to a copy of cfg.
func NewClient(cfg ClientConfig, self protocol.NodeDID, key ed25519.PrivateKey) (*Client, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("data-exchange client config: %w", err)
	}
	if self.IsZero() {
		return nil, errors.New("data-exchange client: no node DID")
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, errors.New("data-exchange client: not an ed25519 private key")
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}).DialContext
	transport.MaxIdleConns = 0 // no overall bound; per peer below
	transport.MaxIdleConnsPerHost = cfg.MaxIdleConnsPerHost
	transport.IdleConnTimeout = cfg.IdleConnTimeout
	transport.ResponseHeaderTimeout = cfg.ResponseTimeout
	return &Client{
		cfg:  cfg,
		self: self,
		key:  key,
		http: &http.Client{
			Transport:     transport,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		now: time.Now,
	}, nil
}

// Close closes the idle kept-alive connections.
func (c *Client) Close() { c.http.CloseIdleConnections() }

// SendBatch implements messaging.Transport. The request, answer included,
// is bounded by ClientConfig.BatchTimeout as well as ctx.
func (c *Client) SendBatch(ctx context.Context, peer messaging.Peer, env messaging.Envelope) error {
	body, err := encodeEnvelope(env)
	if err != nil {
		return err
	}
	content := protocol.SHA256(body)
	ctx, cancel := context.WithTimeout(ctx, c.cfg.BatchTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, http.MethodPost, peer, batchesPath, bytes.NewReader(body), content)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	// Delivery is idempotent: this lets the transport resend the request
	// on a new connection when a kept-alive one was closed under it.
	req.Header.Set("Idempotency-Key", content.String())
	return c.do(req, peer)
}

// SendBlob implements messaging.Transport. The bytes are streamed from
// open's reader with Content-Length size; the upload ends when it makes no
// progress for ClientConfig.BlobStallTimeout, or when ctx ends.
func (c *Client) SendBlob(ctx context.Context, peer messaging.Peer, namespace string, hash protocol.Hash, size int64,
	open func() (io.ReadCloser, error)) error {
	if err := protocol.ValidateNamespace(namespace); err != nil {
		return fmt.Errorf("%w: blob namespace: %w", messaging.ErrInvalidInput, err)
	}
	if size < 0 {
		return fmt.Errorf("%w: blob size %d", messaging.ErrInvalidInput, size)
	}
	rc, err := open()
	if err != nil {
		return fmt.Errorf("opening blob %s: %w", hash, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stall := newStallReader(rc, c.cfg.BlobStallTimeout, cancel)
	defer stall.stop()
	var body io.Reader = stall
	if size == 0 { // a zero Content-Length with a body would be sent chunked
		_ = stall.Close()
		body = http.NoBody
	}
	req, err := c.newRequest(ctx, http.MethodPut, peer, blobsPath+namespace+"/"+hash.String(), body, hash)
	if err != nil {
		_ = stall.Close()
		return err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	req.Header.Set("Expect", "100-continue")
	err = c.do(req, peer)
	if err != nil && stall.stalled.Load() {
		return fmt.Errorf("blob %s to %s: no progress for %s: %w", hash, peer.Node, c.cfg.BlobStallTimeout, err)
	}
	return err
}

func (c *Client) newRequest(ctx context.Context, method string, peer messaging.Peer, path string, body io.Reader,
	content protocol.Hash) (*http.Request, error) {
	if peer.Node.IsZero() {
		return nil, fmt.Errorf("%w: peer has no node DID", messaging.ErrInvalidInput)
	}
	base, err := url.Parse(strings.TrimRight(peer.Endpoint, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("%w: peer %s endpoint %q is not an http(s) URL", messaging.ErrInvalidInput, peer.Node, peer.Endpoint)
	}
	req, err := http.NewRequestWithContext(ctx, method, base.String()+path, body)
	if err != nil {
		return nil, fmt.Errorf("%w: peer %s: %w", messaging.ErrInvalidInput, peer.Node, err)
	}
	sign(req.Header, c.key, method, path, c.now(), content, c.self, peer.Node)
	return req, nil
}

func (c *Client) do(req *http.Request, peer messaging.Peer) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("peer %s: %w", peer.Node, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody)) // so the connection is reused
		return nil
	}
	reason := readReason(resp)
	switch code := resp.StatusCode; {
	case code >= 400 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests:
		return &messaging.PeerError{Status: code, Reason: reason}
	default: // 5xx, 408, 429, and statuses the protocol never uses
		return fmt.Errorf("peer %s answered %s: %s", peer.Node, resp.Status, reason)
	}
}

// readReason returns the message of a JSON error answer, or else the start
// of the body, or else the status.
func readReason(resp *http.Response) string {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var body struct {
		Error   string `json:"error"`
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &body) == nil && body.Message != "" {
		return body.Message
	}
	if text := strings.TrimSpace(strings.ToValidUTF8(string(raw), "")); text != "" {
		const limit = 200
		if len(text) > limit {
			text = text[:limit] + "..."
		}
		return text
	}
	return resp.Status
}

// stallReader cancels an upload whose body has not been read for a while:
// a peer that stops reading would otherwise hold the upload forever.
type stallReader struct {
	rc      io.ReadCloser
	timeout time.Duration
	timer   *time.Timer
	stalled atomic.Bool
}

func newStallReader(rc io.ReadCloser, timeout time.Duration, cancel context.CancelFunc) *stallReader {
	s := &stallReader{rc: rc, timeout: timeout}
	s.timer = time.AfterFunc(timeout, func() {
		s.stalled.Store(true)
		cancel()
	})
	return s
}

func (s *stallReader) Read(p []byte) (int, error) {
	n, err := s.rc.Read(p)
	if err != nil {
		s.timer.Stop() // the answer's wait is ResponseTimeout's
	} else {
		s.timer.Reset(s.timeout)
	}
	return n, err
}

func (s *stallReader) Close() error { return s.rc.Close() }

func (s *stallReader) stop() { s.timer.Stop() }
