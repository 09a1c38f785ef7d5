package storebench

import (
	"errors"
	"fmt"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/test/bench/figure"
	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
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
	// "full"); empty keeps the adapter's default. SQLite only.
	Synchronous string
	// Driver is the store measured: "sqlite" (default) or "postgres".
	Driver string
	// URL is the Postgres server (driver postgres only, required there).
	// Each measurement runs in a fresh schema of that database, dropped
	// afterwards.
	URL string
	// Queries is the query.messages phase, Postgres only: a Postgres read
	// model of Queries.Messages confirmed messages (default 1,000,000) in
	// a schema of its own, queried over HTTP as `bench query` queries its
	// SQLite one (querybench.RunMessages). Zero fields take querybench's
	// defaults.
	Queries querybench.MessagesOptions
}

// Drivers accepted by Options.Driver.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
)

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
	// DefaultPostgresSingleEvents caps store.append.single and
	// store.append.concurrent on Postgres, where every commit waits for a
	// WAL flush: 200,000 of them would take minutes and measure the disk.
	DefaultPostgresSingleEvents = 10_000
	// concurrentAppenders in store.append.concurrent.
	concurrentAppenders = 8
)

func (o *Options) setDefaults() {
	if o.Events == 0 {
		o.Events = DefaultEvents
	}
	if o.PayloadSize == 0 {
		o.PayloadSize = DefaultPayloadSize
	}
	if o.Driver == "" {
		o.Driver = DriverSQLite
	}
	if o.SingleEvents == 0 {
		o.SingleEvents = o.Events
		if o.Driver == DriverPostgres {
			o.SingleEvents = min(o.Events, DefaultPostgresSingleEvents)
		}
	}
	if o.Driver == DriverPostgres {
		o.Queries.SetDefaults()
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
	switch o.Driver {
	case DriverSQLite:
		if o.URL != "" {
			errs = append(errs, fmt.Errorf("url: only with driver %q", DriverPostgres))
		}
		if o.Queries != (querybench.MessagesOptions{}) {
			errs = append(errs, fmt.Errorf("queries: only with driver %q (`bench query` measures the SQLite read model)", DriverPostgres))
		}
	case DriverPostgres:
		if o.URL == "" {
			errs = append(errs, fmt.Errorf("url: required with driver %q", DriverPostgres))
		}
		if o.Synchronous != "" {
			errs = append(errs, fmt.Errorf("synchronous: only with driver %q", DriverSQLite))
		}
		if err := o.Queries.Validate(); err != nil {
			errs = append(errs, fmt.Errorf("queries: %w", err))
		}
	default:
		errs = append(errs, fmt.Errorf("driver %q: must be %q or %q", o.Driver, DriverSQLite, DriverPostgres))
	}
	return errors.Join(errs...)
}

// Result is one figure.
type Result = figure.Figure

// Result names, in the order Run returns them.
const (
	NameAppendSingle   = "store.append.single"
	NameAppendBatched  = "store.append.batched"
	NameReadAll        = "store.readall"
	NameSubscribeCatch = "store.subscribe.catchup"
	NameRawInsert      = "store.raw_insert.batched"
	NameAppendRatio    = "store.append.ratio"
	// NameAppendConcurrent is Postgres only: concurrentAppenders goroutines
	// appending one event per Append.
	NameAppendConcurrent = "store.append.concurrent"
	// The query figures are Postgres only and come last (Options.Queries).
	NameQueryP50        = querybench.NameMessagesP50
	NameQueryP99        = querybench.NameMessagesP99
	NameQueryCountP99   = querybench.NameMessagesCount
	unitEventsPerSecond = "events/s"
	unitRatio           = "ratio"
)
