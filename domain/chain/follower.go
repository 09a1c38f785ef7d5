package chain

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// ErrInvalidConfig wraps every Config.Validate failure.
var ErrInvalidConfig = errors.New("invalid chain follower config")

// Defaults.
const (
	DefaultWindow   = 256
	DefaultMaxRange = 1000
)

// Config configures a follower.
type Config struct {
	// Namespace the observed pins belong to (one contract per namespace).
	Namespace string `yaml:"-"`
	// Confirmations a block needs before its logs are observed: the head
	// must be at least its number + Confirmations.
	Confirmations uint64 `yaml:"confirmations"`
	// StartBlock is where a follower with no checkpoint starts (the
	// contract's deployment block).
	StartBlock uint64 `yaml:"startBlock"`
	// Window is how many blocks behind the newest processed one are
	// remembered to detect and undo reorgs.
	Window uint64 `yaml:"window"`
	// MaxRange bounds the blocks asked for in one Logs call.
	MaxRange uint64 `yaml:"maxRange"`
}

// SetDefaults fills zero values.
func (c *Config) SetDefaults() {
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.MaxRange == 0 {
		c.MaxRange = DefaultMaxRange
	}
}

// Validate checks the config after SetDefaults.
func (c Config) Validate() error {
	if err := protocol.ValidateNamespace(c.Namespace); err != nil {
		return fmt.Errorf("%w: namespace: %w", ErrInvalidConfig, err)
	}
	if c.Window < 2 || c.MaxRange < 1 {
		return fmt.Errorf("%w: window must be at least 2 blocks and maxRange at least 1", ErrInvalidConfig)
	}
	return nil
}

// Reorg describes a reorganisation the follower handled.
type Reorg struct {
	// Ancestor is the newest remembered block the chain still has; the
	// blocks above it that the follower had processed were replaced.
	Ancestor uint64
	// From is the newest block processed before the reorg.
	From uint64
	// Removed counts the logs removed.
	Removed int
	// BeyondConfirmations: blocks that had their confirmations were
	// replaced, which the confirmation depth is meant to prevent.
	BeyondConfirmations bool
	// BeyondWindow: no remembered block is still on the chain, so logs
	// observed before the window may have been orphaned unnoticed.
	BeyondWindow bool
}

// remembered is a processed block the follower keeps for reorg detection,
// with the logs it observed in it.
type remembered struct {
	header Header
	logs   []catalogue.ChainLocation
}

// Follower turns a chain's logs into pin events. Step does the work; the
// caller appends what it returns (Run does both). It is not safe for
// concurrent use.
type Follower struct {
	cfg   Config
	chain Chain
	// blocks are the processed blocks remembered, ascending: every range's
	// last block and every block a log was observed in, within the window.
	blocks []remembered
	// next is the first block not processed yet.
	next uint64
}

// NewFollower returns a follower with no history; Restore gives it its own
// past events.
func NewFollower(cfg Config, c Chain) (*Follower, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Follower{cfg: cfg, chain: c, next: cfg.StartBlock}, nil
}

// Restore applies one of the follower's own past events (in the order they
// were appended) to rebuild its state.
func (f *Follower) Restore(p catalogue.Payload) {
	switch v := p.(type) {
	case catalogue.PinObserved:
		b := f.remember(Header{Number: v.Location.BlockNumber, Hash: v.Location.BlockHash})
		b.logs = append(b.logs, v.Location)
	case catalogue.PinRemoved:
		for i := range f.blocks {
			f.blocks[i].logs = slices.DeleteFunc(f.blocks[i].logs, func(l catalogue.ChainLocation) bool { return l == v.Location })
		}
	case catalogue.ChainCheckpoint:
		// A checkpoint below the newest remembered block follows a reorg:
		// what was above it is gone.
		f.blocks = slices.DeleteFunc(f.blocks, func(b remembered) bool { return b.header.Number > v.BlockNumber })
		f.remember(Header{Number: v.BlockNumber, Hash: v.BlockHash})
		f.next = v.BlockNumber + 1
		f.prune()
	}
}

// remember returns the remembered block for h, adding it in order.
func (f *Follower) remember(h Header) *remembered {
	i, found := slices.BinarySearchFunc(f.blocks, h.Number, func(b remembered, n uint64) int {
		switch {
		case b.header.Number < n:
			return -1
		case b.header.Number > n:
			return 1
		}
		return 0
	})
	if !found {
		f.blocks = slices.Insert(f.blocks, i, remembered{header: h})
	}
	f.blocks[i].header = h
	return &f.blocks[i]
}

func (f *Follower) prune() {
	if f.next <= f.cfg.Window {
		return
	}
	horizon := f.next - f.cfg.Window
	// Keep at least the newest block, whatever its age, to check for reorgs.
	keep := len(f.blocks) - 1
	i := 0
	for i < keep && f.blocks[i].header.Number < horizon {
		i++
	}
	f.blocks = slices.Delete(f.blocks, 0, i)
}

// Next is the first block the follower has not processed.
func (f *Follower) Next() uint64 { return f.next }

// Step looks at the chain once: it undoes a reorg if one happened, then
// observes the logs of the next range of confirmed blocks. It returns the
// events to append, in order, whether more confirmed blocks are waiting, and
// the reorg it handled (nil if none). If it fails, its state is unchanged and
// nothing is returned: the next Step starts over.
func (f *Follower) Step(ctx context.Context) (events []catalogue.Payload, more bool, reorg *Reorg, err error) {
	saved := f.snapshot()
	defer func() {
		if err != nil {
			f.restoreSnapshot(saved)
			events, more, reorg = nil, false, nil
		}
	}()
	head, err := f.chain.Head(ctx)
	if err != nil {
		return nil, false, nil, fmt.Errorf("chain head: %w", err)
	}
	if reorg, events, err = f.checkReorg(ctx, head); err != nil {
		return nil, false, nil, err
	}
	if head.Number < f.cfg.Confirmations {
		return events, false, reorg, nil
	}
	target := head.Number - f.cfg.Confirmations
	if f.next > target {
		return events, false, reorg, nil
	}
	to := min(target, f.next+f.cfg.MaxRange-1)
	observed, done, err := f.observe(ctx, f.next, to)
	if err != nil {
		return nil, false, nil, err
	}
	events = append(events, observed...)
	// More to do: a range was left for later, or a racing reorg kept this one.
	return events, !done || to < target, reorg, nil
}
