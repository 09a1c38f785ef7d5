package local

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by SetDefaults.
const (
	DefaultMaxPayloadBytes = 64 << 20
	DefaultFetchTimeout    = 30 * time.Second
)

// Config configures SharedStorage. Dir and PublicURL have no default: the
// node derives them from its data directory and its data-exchange endpoint.
type Config struct {
	// Dir holds the payloads this node has, its own and those it fetched.
	Dir string `yaml:"dir"`
	// PublicURL is this node's data-exchange base URL as peers reach it
	// (http or https, no query or fragment); references are
	// <PublicURL>/dx/v1/storage/<sha256 hex>.
	PublicURL string `yaml:"publicURL"`
	// MaxPayloadBytes bounds a payload put or fetched (default 64 MiB).
	MaxPayloadBytes int64 `yaml:"maxPayloadBytes"`
	// FetchTimeout bounds one fetch from a peer, body included (default 30s).
	FetchTimeout time.Duration `yaml:"fetchTimeout"`
}

// SetDefaults fills every unset field except Dir and PublicURL.
func (c *Config) SetDefaults() {
	if c.MaxPayloadBytes == 0 {
		c.MaxPayloadBytes = DefaultMaxPayloadBytes
	}
	if c.FetchTimeout == 0 {
		c.FetchTimeout = DefaultFetchTimeout
	}
}

// Validate reports every bad field, each named by its YAML key.
func (c Config) Validate() error {
	var errs []error
	if c.Dir == "" {
		errs = append(errs, errors.New("dir: must not be empty"))
	}
	if err := validateBaseURL(c.PublicURL); err != nil {
		errs = append(errs, fmt.Errorf("publicURL %q: %w", c.PublicURL, err))
	}
	if c.MaxPayloadBytes <= 0 {
		errs = append(errs, fmt.Errorf("maxPayloadBytes %d: must be positive", c.MaxPayloadBytes))
	}
	if c.FetchTimeout <= 0 {
		errs = append(errs, fmt.Errorf("fetchTimeout %s: must be positive", c.FetchTimeout))
	}
	return errors.Join(errs...)
}

// validateBaseURL accepts an absolute http(s) URL with a host and nothing
// after its path.
func validateBaseURL(s string) error {
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return err
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("must be an http or https URL")
	case u.Host == "":
		return errors.New("must name a host")
	case u.User != nil, u.RawQuery != "", u.ForceQuery, u.Fragment != "", strings.Contains(s, "#"):
		return errors.New("must not have user info, a query or a fragment")
	}
	return nil
}
