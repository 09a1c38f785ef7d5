package elasticsearch

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by SetDefaults.
const (
	DefaultIndex          = "ledgermirror-search"
	DefaultWorkers        = 2
	DefaultFlushBytes     = 5 << 20
	DefaultRequestTimeout = 30 * time.Second
)

// Config configures the Elasticsearch index.
type Config struct {
	// Addresses of the cluster's nodes, http or https URLs; required.
	Addresses []string `yaml:"addresses"`
	// Username and Password for basic authentication, or APIKey (base64
	// "id:key"); all optional.
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	APIKey   string `yaml:"apiKey"`
	// Index is the prefix of the index and template names (default
	// ledgermirror-search): lower case, as Elasticsearch requires. Two
	// nodes sharing a cluster need different prefixes.
	Index string `yaml:"index"`
	// Workers is the number of bulk requests in flight in one Index call
	// (default 2).
	Workers int `yaml:"workers"`
	// FlushBytes is the size of one bulk request (default 5 MiB).
	FlushBytes int `yaml:"flushBytes"`
	// RequestTimeout bounds one request to the cluster (default 30s).
	RequestTimeout time.Duration `yaml:"requestTimeout"`
}

// SetDefaults fills every unset field except Addresses and the credentials.
func (c *Config) SetDefaults() {
	if c.Index == "" {
		c.Index = DefaultIndex
	}
	if c.Workers == 0 {
		c.Workers = DefaultWorkers
	}
	if c.FlushBytes == 0 {
		c.FlushBytes = DefaultFlushBytes
	}
	if c.RequestTimeout == 0 {
		c.RequestTimeout = DefaultRequestTimeout
	}
}

// Validate reports every bad field, each named by its YAML key.
func (c Config) Validate() error {
	var errs []error
	if len(c.Addresses) == 0 {
		errs = append(errs, errors.New("addresses: at least one is required"))
	}
	for _, a := range c.Addresses {
		if u, err := url.Parse(a); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("addresses: %q is not an http or https URL", a))
		}
	}
	if c.APIKey != "" && (c.Username != "" || c.Password != "") {
		errs = append(errs, errors.New("apiKey: give either apiKey or username and password"))
	}
	if err := validateIndexName(c.Index); err != nil {
		errs = append(errs, fmt.Errorf("index %q: %w", c.Index, err))
	}
	if c.Workers <= 0 {
		errs = append(errs, fmt.Errorf("workers %d: must be positive", c.Workers))
	}
	if c.FlushBytes <= 0 {
		errs = append(errs, fmt.Errorf("flushBytes %d: must be positive", c.FlushBytes))
	}
	if c.RequestTimeout <= 0 {
		errs = append(errs, fmt.Errorf("requestTimeout %s: must be positive", c.RequestTimeout))
	}
	return errors.Join(errs...)
}

// validateIndexName checks Elasticsearch's rules for index names, a little
// stricter: 1 to 200 characters of [a-z0-9._-], not starting with '-', '_'
// or '.', so that the versioned name stays under the 255-byte limit.
func validateIndexName(s string) error {
	if s == "" || len(s) > 200 {
		return errors.New("must be 1 to 200 characters")
	}
	if strings.IndexFunc(s, func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '.' && r != '_' && r != '-'
	}) >= 0 {
		return errors.New("may only contain a-z 0-9 . _ -")
	}
	if strings.ContainsAny(s[:1], "-_.") {
		return errors.New("must start with a letter or digit")
	}
	return nil
}
