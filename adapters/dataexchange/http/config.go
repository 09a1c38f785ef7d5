package http

import (
	"errors"
	"fmt"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Client defaults applied by ClientConfig.SetDefaults.
const (
	DefaultBatchTimeout        = 30 * time.Second
	DefaultDialTimeout         = 10 * time.Second
	DefaultResponseTimeout     = time.Minute
	DefaultBlobStallTimeout    = time.Minute
	DefaultMaxIdleConnsPerHost = 32
	DefaultIdleConnTimeout     = 90 * time.Second
)

// Server defaults applied by ServerConfig.SetDefaults.
const (
	DefaultMaxBatchBytes     = 64 << 20
	DefaultMaxBlobBytes      = 1 << 30
	DefaultMaxClockSkew      = 5 * time.Minute
	DefaultReadHeaderTimeout = 10 * time.Second
)

// ClientConfig configures the Client. The zero value is a working
// configuration once SetDefaults has run.
type ClientConfig struct {
	// BatchTimeout bounds one batch request, answer included (default 30s).
	BatchTimeout time.Duration `yaml:"batchTimeout"`
	// DialTimeout bounds connecting to a peer (default 10s).
	DialTimeout time.Duration `yaml:"dialTimeout"`
	// ResponseTimeout bounds the wait for a peer's answer once a request,
	// a blob included, is sent (default 1m).
	ResponseTimeout time.Duration `yaml:"responseTimeout"`
	// BlobStallTimeout ends a blob upload that has made no progress for
	// this long (default 1m). A whole blob has no time limit but the
	// caller's context: a large one on a slow link takes what it takes.
	BlobStallTimeout time.Duration `yaml:"blobStallTimeout"`
	// MaxIdleConnsPerHost is how many kept-alive connections to one peer
	// wait for reuse (default 32): a busy node sends many batches per second
	// to the same peers.
	MaxIdleConnsPerHost int `yaml:"maxIdleConnsPerHost"`
	// IdleConnTimeout closes a kept-alive connection unused this long
	// (default 90s).
	IdleConnTimeout time.Duration `yaml:"idleConnTimeout"`
}

// SetDefaults fills every unset field.
func (c *ClientConfig) SetDefaults() {
	setDuration(&c.BatchTimeout, DefaultBatchTimeout)
	setDuration(&c.DialTimeout, DefaultDialTimeout)
	setDuration(&c.ResponseTimeout, DefaultResponseTimeout)
	setDuration(&c.BlobStallTimeout, DefaultBlobStallTimeout)
	setDuration(&c.IdleConnTimeout, DefaultIdleConnTimeout)
	if c.MaxIdleConnsPerHost == 0 {
		c.MaxIdleConnsPerHost = DefaultMaxIdleConnsPerHost
	}
}

// Validate reports every bad field, each named by its YAML key.
func (c ClientConfig) Validate() error {
	var errs []error
	for _, d := range []struct {
		key string
		v   time.Duration
	}{
		{"batchTimeout", c.BatchTimeout}, {"dialTimeout", c.DialTimeout}, {"responseTimeout", c.ResponseTimeout},
		{"blobStallTimeout", c.BlobStallTimeout}, {"idleConnTimeout", c.IdleConnTimeout},
	} {
		if d.v <= 0 {
			errs = append(errs, fmt.Errorf("%s %s: must be positive", d.key, d.v))
		}
	}
	if c.MaxIdleConnsPerHost < 1 {
		errs = append(errs, fmt.Errorf("maxIdleConnsPerHost %d: must be at least 1", c.MaxIdleConnsPerHost))
	}
	return errors.Join(errs...)
}

// ServerConfig configures the Server. Node has no default; the rest does.
type ServerConfig struct {
	// Node is this node's DID: requests must be signed for it.
	Node string `yaml:"node"`
	// MaxBatchBytes bounds a batch request's body (default 64 MiB; over it,
	// 413).
	MaxBatchBytes int64 `yaml:"maxBatchBytes"`
	// MaxBlobBytes bounds a blob (default 1 GiB; over it, 413).
	MaxBlobBytes int64 `yaml:"maxBlobBytes"`
	// MaxClockSkew is how far a request's timestamp may be from this node's
	// clock, either way (default 5m).
	MaxClockSkew time.Duration `yaml:"maxClockSkew"`
	// ReadHeaderTimeout bounds reading a request's headers, for the
	// http.Server that Server.HTTPServer builds (default 10s).
	ReadHeaderTimeout time.Duration `yaml:"readHeaderTimeout"`
}

// SetDefaults fills every unset field except Node.
func (c *ServerConfig) SetDefaults() {
	if c.MaxBatchBytes == 0 {
		c.MaxBatchBytes = DefaultMaxBatchBytes
	}
	if c.MaxBlobBytes == 0 {
		c.MaxBlobBytes = DefaultMaxBlobBytes
	}
	setDuration(&c.MaxClockSkew, DefaultMaxClockSkew)
	setDuration(&c.ReadHeaderTimeout, DefaultReadHeaderTimeout)
}

// Validate reports every bad field, each named by its YAML key.
func (c ServerConfig) Validate() error {
	var errs []error
	if _, err := protocol.ParseNodeDID(c.Node); err != nil {
		errs = append(errs, fmt.Errorf("node %q: %w", c.Node, err))
	}
	if c.MaxBatchBytes <= 0 {
		errs = append(errs, fmt.Errorf("maxBatchBytes %d: must be positive", c.MaxBatchBytes))
	}
	if c.MaxBlobBytes <= 0 {
		errs = append(errs, fmt.Errorf("maxBlobBytes %d: must be positive", c.MaxBlobBytes))
	}
	if c.MaxClockSkew <= 0 {
		errs = append(errs, fmt.Errorf("maxClockSkew %s: must be positive", c.MaxClockSkew))
	}
	if c.ReadHeaderTimeout <= 0 {
		errs = append(errs, fmt.Errorf("readHeaderTimeout %s: must be positive", c.ReadHeaderTimeout))
	}
	return errors.Join(errs...)
}

func setDuration(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}
