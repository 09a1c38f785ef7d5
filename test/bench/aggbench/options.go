package aggbench

import (
	"errors"
	"fmt"
	"io"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Options says how much to measure.
type Options struct {
	// Pins decided by aggregator.pins (default 1,000,000), one per message.
	Pins int
	// Contexts the pins are spread over: broadcast topics (default 1,000).
	Contexts int
	// BatchSize is the messages per batch, so the pins per chain log
	// (default 10).
	BatchSize int
	// UnparkPins parked behind one missing batch in aggregator.unpark
	// (default 10,000); the ratio compares it with twice as many.
	UnparkPins int
	// UnparkRuns of each unpark size; the median counts (default 3).
	UnparkRuns int
	// CPUProfile, if set, receives a CPU profile of aggregator.pins' timed
	// Apply calls, and nothing else.
	CPUProfile io.Writer
}

// ErrInvalidOptions wraps Run's complaint about its Options, so a caller can
// tell bad input from a failed measurement.
var ErrInvalidOptions = errors.New("invalid benchmark options")

// Defaults of Options.
const (
	DefaultPins       = 1_000_000
	DefaultContexts   = 1_000
	DefaultBatchSize  = 10
	DefaultUnparkPins = 10_000
	DefaultUnparkRuns = 3
)

func (o *Options) setDefaults() {
	if o.Pins == 0 {
		o.Pins = DefaultPins
	}
	if o.Contexts == 0 {
		o.Contexts = DefaultContexts
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.UnparkPins == 0 {
		o.UnparkPins = DefaultUnparkPins
	}
	if o.UnparkRuns == 0 {
		o.UnparkRuns = DefaultUnparkRuns
	}
}

// maxPins keeps ids and chain positions well inside their encodings and a
// run inside memory (a million pins take about 2 GB of inputs).
const maxPins = 50_000_000

func (o Options) validate() error {
	var errs []error
	if o.Pins < 1 || o.Pins > maxPins {
		errs = append(errs, fmt.Errorf("pins %d: must be between 1 and %d", o.Pins, maxPins))
	}
	if o.Contexts < 1 || o.Contexts > o.Pins {
		errs = append(errs, fmt.Errorf("contexts %d: must be between 1 and the number of pins", o.Contexts))
	}
	if o.BatchSize < 1 || o.BatchSize > protocol.MaxBatchMessages {
		errs = append(errs, fmt.Errorf("batch size %d: must be between 1 and %d", o.BatchSize, protocol.MaxBatchMessages))
	}
	if o.UnparkPins < 2 || o.UnparkPins > maxPins/2 {
		errs = append(errs, fmt.Errorf("unpark pins %d: must be between 2 and %d", o.UnparkPins, maxPins/2))
	}
	if o.UnparkRuns < 1 || o.UnparkRuns > 100 {
		errs = append(errs, fmt.Errorf("unpark runs %d: must be between 1 and 100", o.UnparkRuns))
	}
	return errors.Join(errs...)
}

// Result is one figure.
type Result = figure.Figure

// Result names, in the order Run returns them. The doubled unpark figure is
// named after its size: NameUnpark + ".20000" with the default UnparkPins.
const (
	NamePins            = "aggregator.pins"
	NamePinsAlloc       = "aggregator.pins.alloc_bytes_per_pin"
	NameReceive         = "aggregator.receive"
	NameEndToEnd        = "aggregator.pins.end_to_end"
	unitMessagesPerSec  = "msg/s"
	NameUnpark          = "aggregator.unpark"
	NameUnparkRatio     = "aggregator.unpark.ratio"
	unitPinsPerSecond   = "pins/s"
	unitBytesPerPin     = "B/pin"
	unitMilliseconds    = "ms"
	unitRatio           = "ratio"
	unparkRatioMultiple = 2
)

// NameUnparkDoubled names the unpark figure for unparkPins*2 pins.
func NameUnparkDoubled(unparkPins int) string {
	return fmt.Sprintf("%s.%d", NameUnpark, unparkPins*unparkRatioMultiple)
}
