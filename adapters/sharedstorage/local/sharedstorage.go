package local

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// StoragePath is the route, below a node's data-exchange base URL, under
// which it serves shared-storage content by sha256 hex.
const StoragePath = "/dx/v1/storage/"

// SharedStorage is the built-in messaging.SharedStorage: payloads are kept
// content-addressed in a directory and served to peers by the data-exchange
// server. It is safe for concurrent use.
type SharedStorage struct {
	cfg    Config
	base   string // PublicURL without a trailing slash
	cas    *casDir
	client *http.Client
}

var _ messaging.SharedStorage = (*SharedStorage)(nil)

// NewSharedStorage opens (creating it if needed) cfg.Dir. SetDefaults is
// applied to a copy of cfg, which must then be valid.
func NewSharedStorage(cfg Config) (*SharedStorage, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("shared storage config: %w", err)
	}
	cas, err := openCASDir(cfg.Dir)
	if err != nil {
		return nil, err
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	return &SharedStorage{
		cfg:  cfg,
		base: strings.TrimRight(cfg.PublicURL, "/"),
		cas:  cas,
		client: &http.Client{
			Transport: transport,
			Timeout:   cfg.FetchTimeout,
			// A reference names where the content is; a redirect would let
			// a member point this node at any URL.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}, nil
}

// Close releases idle connections to peers.
func (s *SharedStorage) Close() { s.client.CloseIdleConnections() }

// Ref returns the reference of the content with this hash on this node.
func (s *SharedStorage) Ref(hash protocol.Hash) string { return s.base + StoragePath + hash.String() }

// Put implements messaging.SharedStorage. A payload over MaxPayloadBytes is
// an error wrapping messaging.ErrTooLarge.
func (s *SharedStorage) Put(ctx context.Context, payload []byte) (string, error) {
	if int64(len(payload)) > s.cfg.MaxPayloadBytes {
		return "", fmt.Errorf("%w: payload of %d bytes, the limit is %d", messaging.ErrTooLarge, len(payload), s.cfg.MaxPayloadBytes)
	}
	h, _, err := s.cas.write(ctx, bytes.NewReader(payload), protocol.Hash{}, 0)
	if err != nil {
		return "", fmt.Errorf("storing payload: %w", err)
	}
	return s.Ref(h), nil
}

// Get implements messaging.SharedStorage. A malformed reference is an error
// wrapping messaging.ErrInvalidInput; content that does not hash to the
// reference wraps messaging.ErrBlobMismatch and is not kept; content over
// MaxPayloadBytes wraps messaging.ErrTooLarge.
func (s *SharedStorage) Get(ctx context.Context, ref string) ([]byte, error) {
	u, hash, err := parseRef(ref)
	if err != nil {
		return nil, err
	}
	local, err := s.readLocal(hash)
	if err == nil || !errors.Is(err, messaging.ErrNotFound) {
		return local, err
	}
	return s.fetch(ctx, u, hash)
}

// Open returns the local content with this hash, or an error wrapping
// messaging.ErrNotFound.
func (s *SharedStorage) Open(hash protocol.Hash) (*os.File, error) { return s.cas.open(hash) }

// Has reports whether the content with this hash is stored here.
func (s *SharedStorage) Has(hash protocol.Hash) bool { return s.cas.has(hash) }

func (s *SharedStorage) readLocal(hash protocol.Hash) ([]byte, error) {
	f, err := s.cas.open(hash)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

func (s *SharedStorage) fetch(ctx context.Context, u *url.URL, hash protocol.Hash) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", messaging.ErrInvalidInput, err)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("%s: %w", u, messaging.ErrNotFound)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("fetching %s: %s", u, resp.Status)
	case resp.ContentLength > s.cfg.MaxPayloadBytes:
		return nil, fmt.Errorf("%w: %s has %d bytes, the limit is %d", messaging.ErrTooLarge, u, resp.ContentLength, s.cfg.MaxPayloadBytes)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, s.cfg.MaxPayloadBytes+1))
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", u, err)
	}
	if int64(len(body)) > s.cfg.MaxPayloadBytes {
		return nil, fmt.Errorf("%w: %s has more than %d bytes", messaging.ErrTooLarge, u, s.cfg.MaxPayloadBytes)
	}
	if got := protocol.Hash(sha256.Sum256(body)); got != hash {
		return nil, fmt.Errorf("%w: %s served bytes hashing to %s", messaging.ErrBlobMismatch, u, got)
	}
	if _, _, err := s.cas.write(ctx, bytes.NewReader(body), hash, 0); err != nil {
		return nil, fmt.Errorf("keeping %s: %w", u, err)
	}
	return body, nil
}

// parseRef reads a reference: an http(s) URL with a host, no user info, query
// or fragment, whose last path segment is a lower-case sha256 hex.
func parseRef(ref string) (*url.URL, protocol.Hash, error) {
	invalid := func(why string) (*url.URL, protocol.Hash, error) {
		return nil, protocol.Hash{}, fmt.Errorf("%w: shared storage reference %q %s", messaging.ErrInvalidInput, truncate(ref), why)
	}
	if validateBaseURL(ref) != nil {
		return invalid("is not an http(s) URL with a host and no user info, query or fragment")
	}
	u, _ := url.Parse(ref) // checked above
	p := u.EscapedPath()
	hash, err := protocol.ParseHash(p[strings.LastIndexByte(p, '/')+1:])
	if err != nil {
		return invalid("does not end with a sha256 hex")
	}
	return u, hash, nil
}

func truncate(s string) string {
	const limit = 200
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
