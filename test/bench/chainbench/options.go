package chainbench

import (
	"errors"
	"fmt"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/test/bench/figure"
)

// Options says how much to measure.
type Options struct {
	// Pins submitted and observed on the simulated chain (default 5,000).
	Pins int
	// Contexts each pin carries (default 10).
	Contexts int
	// Workers are the goroutines submitting concurrently (default 4); the
	// submitter still takes nonces one at a time.
	Workers int
	// CommitEvery is how many submitted transactions the simulated chain
	// takes into one block (default 100).
	CommitEvery int
	// Geth also measures chain.pins.geth against a geth --dev process.
	Geth bool
	// GethPins submitted and observed on geth (default 500).
	GethPins int
	// Stall fails a run when the follower observes no new pin for this long
	// (default 60 s).
	Stall time.Duration
}

// ErrInvalidOptions wraps Run's complaint about its Options, so a caller can
// tell bad input from a failed measurement.
var ErrInvalidOptions = errors.New("invalid benchmark options")

// Defaults of Options.
const (
	DefaultPins        = 5_000
	DefaultContexts    = 10
	DefaultWorkers     = 4
	DefaultCommitEvery = 100
	DefaultGethPins    = 500
	DefaultStall       = time.Minute
)

// Limits of Options.
const (
	maxPins    = 1_000_000
	maxWorkers = 64
)

func (o *Options) setDefaults() {
	if o.Pins == 0 {
		o.Pins = DefaultPins
	}
	if o.Contexts == 0 {
		o.Contexts = DefaultContexts
	}
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.CommitEvery == 0 {
		o.CommitEvery = DefaultCommitEvery
	}
	if o.GethPins == 0 {
		o.GethPins = DefaultGethPins
	}
	if o.Stall == 0 {
		o.Stall = DefaultStall
	}
}

func (o Options) validate() error {
	var errs []error
	if o.Pins < 1 || o.Pins > maxPins {
		errs = append(errs, fmt.Errorf("pins %d: must be between 1 and %d", o.Pins, maxPins))
	}
	if o.Contexts < 1 || o.Contexts > protocol.MaxBatchMessages {
		errs = append(errs, fmt.Errorf("contexts %d: must be between 1 and %d", o.Contexts, protocol.MaxBatchMessages))
	}
	if o.Workers < 1 || o.Workers > maxWorkers {
		errs = append(errs, fmt.Errorf("workers %d: must be between 1 and %d", o.Workers, maxWorkers))
	}
	if o.CommitEvery < 1 || o.CommitEvery > 1000 {
		errs = append(errs, fmt.Errorf("commit every %d: must be between 1 and 1000", o.CommitEvery))
	}
	if o.GethPins < 1 || o.GethPins > maxPins {
		errs = append(errs, fmt.Errorf("geth pins %d: must be between 1 and %d", o.GethPins, maxPins))
	}
	if o.Stall < time.Second {
		errs = append(errs, fmt.Errorf("stall %s: must be at least 1s", o.Stall))
	}
	return errors.Join(errs...)
}

// Result is one figure.
type Result = figure.Figure

// Result names, in the order Run returns them.
const (
	NameSimulated     = "chain.pins.simulated"
	NameGeth          = "chain.pins.geth"
	unitPinsPerSecond = "pins/s"
)
