package api

import (
	"errors"
	"fmt"
	"net"
	"time"
)

// Defaults of Config.
const (
	DefaultListen         = "127.0.0.1:5000"
	DefaultMaxBodyBytes   = 1 << 20 // 1 MiB
	DefaultMaxBlobBytes   = 1 << 30 // 1 GiB
	DefaultConfirmTimeout = 30 * time.Second
)

// Config configures one API server.
type Config struct {
	// Listen is the TCP address Run listens on (host:port; port 0 picks one).
	Listen string `yaml:"listen"`
	// MaxBodyBytes bounds a JSON request body; more is 413.
	MaxBodyBytes int64 `yaml:"maxBodyBytes"`
	// MaxBlobBytes bounds the file of a blob upload; more is 413. The whole
	// multipart body may exceed it by multipartOverhead (part headers).
	MaxBlobBytes int64 `yaml:"maxBlobBytes"`
	// ConfirmTimeout is the longest a ?confirm=true request waits for the
	// decision before it answers 202 with the message still pending.
	ConfirmTimeout time.Duration `yaml:"confirmTimeout"`
}

// SetDefaults fills zero values.
func (c *Config) SetDefaults() {
	if c.Listen == "" {
		c.Listen = DefaultListen
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.MaxBlobBytes == 0 {
		c.MaxBlobBytes = DefaultMaxBlobBytes
	}
	if c.ConfirmTimeout == 0 {
		c.ConfirmTimeout = DefaultConfirmTimeout
	}
}

// Validate reports every bad field, each named by its YAML key. It expects
// SetDefaults to have run.
func (c Config) Validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Errorf("listen %q: must be host:port: %w", c.Listen, err))
	}
	if c.MaxBodyBytes < 1 {
		errs = append(errs, fmt.Errorf("maxBodyBytes %d: must be at least 1", c.MaxBodyBytes))
	}
	if c.MaxBlobBytes < 1 {
		errs = append(errs, fmt.Errorf("maxBlobBytes %d: must be at least 1", c.MaxBlobBytes))
	}
	if c.ConfirmTimeout <= 0 {
		errs = append(errs, fmt.Errorf("confirmTimeout %s: must be positive", c.ConfirmTimeout))
	}
	return errors.Join(errs...)
}
