package kurrentdb

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"
)

// Defaults applied by SetDefaults.
const (
	DefaultStreamPrefix   = "ledgermirror/"
	DefaultConnectTimeout = 10 * time.Second
	DefaultAppendTimeout  = 10 * time.Second
	DefaultReadPageSize   = 1000
)

// Limits checked by Validate.
const (
	maxReadPageSize    = 100_000
	maxStreamPrefixLen = 64
)

// streamPrefix is what StreamPrefix may be: one path segment and a slash.
// Without an inner slash or '#', no store's prefix can begin another's, and
// the id-claim streams (see claimPrefix) lie outside every store's prefix.
var streamPrefix = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*/$`)

// Config configures the KurrentDB event store. The zero value plus a URL is a
// working configuration once SetDefaults has run.
type Config struct {
	// URL is a KurrentDB connection string, "kurrentdb://host:2113?tls=false"
	// (esdb:// and the +discover forms are accepted too). No default.
	URL string `yaml:"url"`
	// StreamPrefix is put before every stream name this store writes
	// (default "ledgermirror/"): a domain stream "message-1" is the
	// KurrentDB stream "ledgermirror/message-1". Reads of $all keep only
	// streams with the prefix, so several stores (several members, or test
	// runs) can share one database under different prefixes. One segment
	// of letters, digits, '.', '_' or '-' followed by a slash.
	StreamPrefix string `yaml:"streamPrefix"`
	// ConnectTimeout bounds Open's first round trip to the server (default
	// 10s).
	ConnectTimeout time.Duration `yaml:"connectTimeout"`
	// AppendTimeout bounds an append once it has been sent (default 10s).
	// A sent append is not abandoned when the caller's context ends, so that
	// its answer is always true; if the server does not answer within
	// AppendTimeout the outcome is unknown and the error says so (a retry is
	// idempotent).
	AppendTimeout time.Duration `yaml:"appendTimeout"`
	// ReadPageSize is how many events ReadAll returns when its limit is
	// <= 0, and how many records one read of $all or of a stream asks the
	// server for (default 1000).
	ReadPageSize int `yaml:"readPageSize"`
}

// SetDefaults fills every unset field except URL.
func (c *Config) SetDefaults() {
	if c.StreamPrefix == "" {
		c.StreamPrefix = DefaultStreamPrefix
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.AppendTimeout == 0 {
		c.AppendTimeout = DefaultAppendTimeout
	}
	if c.ReadPageSize == 0 {
		c.ReadPageSize = DefaultReadPageSize
	}
}

// Validate reports every bad field, each named by its YAML key. The URL is
// parsed but not connected to.
func (c Config) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("url: must not be empty"))
	} else if _, err := kurrentdb.ParseConnectionString(c.URL); err != nil {
		// The client's message may quote the URL with its password; say only what is wrong.
		errs = append(errs, errors.New("url: not a valid KurrentDB connection string (kurrentdb://host:2113?tls=false)"))
	}
	if len(c.StreamPrefix) > maxStreamPrefixLen || !streamPrefix.MatchString(c.StreamPrefix) {
		errs = append(errs, fmt.Errorf("streamPrefix %q: must be letters, digits, '.', '_' or '-' followed by one '/', at most %d bytes", c.StreamPrefix, maxStreamPrefixLen))
	}
	if c.ConnectTimeout <= 0 {
		errs = append(errs, fmt.Errorf("connectTimeout %s: must be positive", c.ConnectTimeout))
	}
	if c.AppendTimeout <= 0 {
		errs = append(errs, fmt.Errorf("appendTimeout %s: must be positive", c.AppendTimeout))
	}
	if c.ReadPageSize < 1 || c.ReadPageSize > maxReadPageSize {
		errs = append(errs, fmt.Errorf("readPageSize %d: must be between 1 and %d", c.ReadPageSize, maxReadPageSize))
	}
	return errors.Join(errs...)
}
