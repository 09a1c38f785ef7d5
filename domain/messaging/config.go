package messaging

import (
	"errors"
	"fmt"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// ErrInvalidConfig wraps every Config.Validate failure.
var ErrInvalidConfig = errors.New("invalid messaging config")

// Config tunes one namespace's sending side.
type Config struct {
	// BatchSize caps the messages of one batch. Default 200.
	BatchSize int `yaml:"batchSize"`
	// BatchMaxWait is the longest a message waits for the batch before it to
	// leave when the pipeline is busy. Default 500 ms. When nothing of its
	// group is in flight a message is sealed at once.
	BatchMaxWait time.Duration `yaml:"batchMaxWait"`
	// RetryMin and RetryMax bound the back-off of failed operations.
	// Defaults 100 ms and 10 s (a peer that comes back is reached within 10 s).
	RetryMin time.Duration `yaml:"retryMin"`
	RetryMax time.Duration `yaml:"retryMax"`
	// FetchDelay is how long a broadcast pin waits for its batch to be
	// pushed before this node fetches it from shared storage. Default 250 ms.
	FetchDelay time.Duration `yaml:"fetchDelay"`
	// PinCheckInterval is how long a submitted pin may go unobserved before
	// the node asks the chain what became of its transaction (and sends it
	// again if the chain lost it). Default 5 s.
	PinCheckInterval time.Duration `yaml:"pinCheckInterval"`
}

// SetDefaults fills zero values.
func (c *Config) SetDefaults() {
	if c.BatchSize == 0 {
		c.BatchSize = 200
	}
	if c.BatchMaxWait == 0 {
		c.BatchMaxWait = 500 * time.Millisecond
	}
	if c.RetryMin == 0 {
		c.RetryMin = 100 * time.Millisecond
	}
	if c.RetryMax == 0 {
		c.RetryMax = 10 * time.Second
	}
	if c.FetchDelay == 0 {
		c.FetchDelay = 250 * time.Millisecond
	}
	if c.PinCheckInterval == 0 {
		c.PinCheckInterval = 5 * time.Second
	}
}

// Validate checks the config after SetDefaults.
func (c Config) Validate() error {
	switch {
	case c.BatchSize < 1 || c.BatchSize > 10000:
		return fmt.Errorf("%w: batchSize %d is not in 1..10000", ErrInvalidConfig, c.BatchSize)
	case c.BatchMaxWait < time.Millisecond:
		return fmt.Errorf("%w: batchMaxWait %s is below 1ms", ErrInvalidConfig, c.BatchMaxWait)
	case c.RetryMin <= 0 || c.RetryMax < c.RetryMin:
		return fmt.Errorf("%w: retryMin %s and retryMax %s must be positive and ordered", ErrInvalidConfig, c.RetryMin, c.RetryMax)
	case c.PinCheckInterval < time.Millisecond:
		return fmt.Errorf("%w: pinCheckInterval %s is below 1ms", ErrInvalidConfig, c.PinCheckInterval)
	case c.FetchDelay < 0:
		return fmt.Errorf("%w: fetchDelay %s is negative", ErrInvalidConfig, c.FetchDelay)
	}
	return nil
}

// Self is who this node is: its org and node, the key its org signs pins
// with, and how peers reach it.
type Self struct {
	Org  protocol.OrgDID
	Node protocol.NodeDID
	Key  protocol.SigningKey
	// Endpoint is this node's data-exchange base URL.
	Endpoint string
	// TransportKey is this node's transport public key (PEM).
	TransportKey string
}

// Validate checks every field is set.
func (s Self) Validate() error {
	if s.Org.IsZero() || s.Node.IsZero() || s.Node.Org() != s.Org || s.Key.IsZero() || s.Endpoint == "" || s.TransportKey == "" {
		return fmt.Errorf("%w: self needs an org, a node of that org, a signing key, an endpoint and a transport key", ErrInvalidConfig)
	}
	return nil
}
