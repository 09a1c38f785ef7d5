package storebench

import (
	"errors"
	"fmt"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
)

// Options says how much to measure and where.
type Options struct {
	// Events per measurement (default 200,000). store.append.single appends at
	// most SingleEvents of them, one commit each.
	Events int
	// Dir holds the benchmark's SQLite files; empty means a temporary
	// directory removed afterwards.
	Dir string
	// PayloadSize is the approximate size of each event's JSON body in bytes
	// (default 300).
	PayloadSize int
	// SingleEvents caps store.append.single (default: Events, as the figure
	// is specified on 200,000 events; a smaller cap shortens a quick run).
	SingleEvents int
	// Synchronous overrides the store's synchronous setting ("normal" or
	// "full"); empty keeps the adapter's default.
	Synchronous string
}

// ErrInvalidOptions wraps Run's complaint about its Options, so a caller can
// tell bad input from a failed measurement.
var ErrInvalidOptions = errors.New("invalid benchmark options")

// Defaults of Options.
const (
	DefaultEvents      = 200_000
	DefaultPayloadSize = 300
	// appendBatch is the number of events per Append in store.append.batched
	// and rows per transaction in store.raw_insert.batched.
	appendBatch = 100
	// eventsPerStream in store.append.single: a stream per aggregate, each
	// getting a handful of events.
	eventsPerStream = 10
)

func (o *Options) setDefaults() {
	if o.Events == 0 {
		o.Events = DefaultEvents
	}
	if o.PayloadSize == 0 {
		o.PayloadSize = DefaultPayloadSize
	}
	if o.SingleEvents == 0 {
		o.SingleEvents = o.Events
	}
}

func (o Options) validate() error {
	var errs []error
	if o.Events < 1 {
		errs = append(errs, fmt.Errorf("events %d: must be positive", o.Events))
	}
	if o.PayloadSize < 0 || o.PayloadSize > 1<<20 {
		errs = append(errs, fmt.Errorf("payload size %d: must be between 0 and 1 MiB", o.PayloadSize))
	}
	if o.SingleEvents < 1 {
		errs = append(errs, fmt.Errorf("single events %d: must be positive", o.SingleEvents))
	}
	if o.Synchronous != "" && o.Synchronous != sqlite.SynchronousNormal && o.Synchronous != sqlite.SynchronousFull {
		errs = append(errs, fmt.Errorf("synchronous %q: must be empty, %q or %q", o.Synchronous, sqlite.SynchronousNormal, sqlite.SynchronousFull))
	}
	return errors.Join(errs...)
}

// Result is one figure.
type Result = figure.Figure

// Result names, in the order Run returns them.
const (
	NameAppendSingle    = "store.append.single"
	NameAppendBatched   = "store.append.batched"
	NameReadAll         = "store.readall"
	NameSubscribeCatch  = "store.subscribe.catchup"
	NameRawInsert       = "store.raw_insert.batched"
	NameAppendRatio     = "store.append.ratio"
	unitEventsPerSecond = "events/s"
	unitRatio           = "ratio"
)
