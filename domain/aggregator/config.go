package aggregator

import (
	"errors"
	"fmt"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Errors Apply returns. The aggregator's state is unchanged when Apply fails.
var (
	// ErrInvalidConfig wraps every Config.Validate failure.
	ErrInvalidConfig = errors.New("invalid aggregator config")
	// ErrInputIgnored wraps inputs the aggregator cannot use: a PinObserved out
	// of chain order, a PinRemoved for a log it never saw, a payload that fails
	// validation. The runner logs them and goes on; skipping is deterministic.
	ErrInputIgnored = errors.New("input ignored")
	// ErrReorgTooDeep: a PinRemoved for a log older than the reorg window; the
	// history to rewind it is gone. Rebuild from the log with a wider window.
	ErrReorgTooDeep = errors.New("reorg deeper than the reorg window")
)

// DefaultReorgWindow is how many blocks behind the head decisions stay
// revocable. Deeper reorgs still work, by a rebuild.
const DefaultReorgWindow = 1000

// Config configures one namespace's aggregator.
type Config struct {
	// Namespace is the only namespace whose inputs are used.
	Namespace string `yaml:"-"`
	// Confirmations a log needs before its pins count: the chain head must be
	// at least its block + Confirmations. 0 counts a pin as soon as seen.
	Confirmations uint64 `yaml:"confirmations"`
	// ReorgWindow is how many blocks behind the head history is kept to
	// rewind a reorg. 0 means the default; Unlimited keeps everything.
	ReorgWindow uint64 `yaml:"reorgWindow"`
}

// Unlimited as ReorgWindow keeps all history (rebuilds after a deep reorg).
const Unlimited = ^uint64(0)

// SetDefaults fills zero values.
func (c *Config) SetDefaults() {
	if c.ReorgWindow == 0 {
		c.ReorgWindow = DefaultReorgWindow
	}
}

// Validate checks the config after SetDefaults.
func (c Config) Validate() error {
	if err := protocol.ValidateNamespace(c.Namespace); err != nil {
		return fmt.Errorf("%w: namespace: %w", ErrInvalidConfig, err)
	}
	if c.ReorgWindow == 0 {
		return fmt.Errorf("%w: reorgWindow must be at least 1 block", ErrInvalidConfig)
	}
	return nil
}
