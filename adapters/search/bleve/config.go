package bleve

import (
	"errors"
	"fmt"
	"time"
)

// Defaults applied by SetDefaults.
const (
	DefaultBatchSize   = 1000
	DefaultOpenTimeout = 5 * time.Second
)

// Config configures the Bleve index. The directory is Open's argument: the
// node derives it from its data directory.
type Config struct {
	// BatchSize bounds the documents written in one Bleve batch (default
	// 1000): larger batches index faster and hold more memory.
	BatchSize int `yaml:"batchSize"`
	// OpenTimeout bounds the wait for the index's file lock, held by
	// another process that has the index open (default 5s).
	OpenTimeout time.Duration `yaml:"openTimeout"`
}

// SetDefaults fills every unset field.
func (c *Config) SetDefaults() {
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.OpenTimeout == 0 {
		c.OpenTimeout = DefaultOpenTimeout
	}
}

// Validate reports every bad field, each named by its YAML key.
func (c Config) Validate() error {
	var errs []error
	if c.BatchSize <= 0 {
		errs = append(errs, fmt.Errorf("batchSize %d: must be positive", c.BatchSize))
	}
	if c.OpenTimeout <= 0 {
		errs = append(errs, fmt.Errorf("openTimeout %s: must be positive", c.OpenTimeout))
	}
	return errors.Join(errs...)
}
