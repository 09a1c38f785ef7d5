package querybench

import (
	"errors"
	"fmt"
	"io"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"
)

// Options says how much to measure.
type Options struct {
	// Events in the event store that query.rebuild projects (default
	// 1,000,000).
	Events int
	// Messages in the read model the HTTP queries run on, all confirmed,
	// and in the search index (default 1,000,000).
	Messages int
	// Requests of the query mix over HTTP (default 5,000), sent by Clients
	// concurrent clients (default 2).
	Requests int
	Clients  int
	// CountRequests are requests of the mix with count=true, measured
	// apart (default 200): a count visits every matching row.
	CountRequests int
	// Searches of the search mix (default 2,000).
	Searches int
	// Dir holds the benchmark's files; empty means a temporary directory
	// removed afterwards.
	Dir string
	// CPUProfile, if set, receives a CPU profile of the rebuild, and
	// nothing else.
	CPUProfile io.Writer
}

// ErrInvalidOptions wraps Run's complaint about its Options, so a caller can
// tell bad input from a failed measurement.
var ErrInvalidOptions = errors.New("invalid benchmark options")

// Defaults of Options.
const (
	DefaultEvents        = 1_000_000
	DefaultMessages      = 1_000_000
	DefaultRequests      = 5000
	DefaultClients       = 2
	DefaultCountRequests = 200
	DefaultSearches      = 2000
)

// Limits of Options.
const (
	maxEvents   = 50_000_000
	maxMessages = 20_000_000
	maxRequests = 10_000_000
	maxClients  = 256
)

func (o *Options) setDefaults() {
	if o.Events == 0 {
		o.Events = DefaultEvents
	}
	m := o.messages()
	m.SetDefaults()
	o.Messages, o.Requests, o.Clients, o.CountRequests = m.Messages, m.Requests, m.Clients, m.CountRequests
	if o.Searches == 0 {
		o.Searches = DefaultSearches
	}
}

// messages is the part of o the messages phase runs on.
func (o Options) messages() MessagesOptions {
	return MessagesOptions{Messages: o.Messages, Requests: o.Requests, Clients: o.Clients, CountRequests: o.CountRequests}
}

func (o Options) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	// The log starts with the registrations of the orgs and groups.
	check(o.Events >= genesisEvents+1 && o.Events <= maxEvents, "events %d: must be between %d and %d", o.Events, genesisEvents+1, maxEvents)
	check(o.Searches >= 1 && o.Searches <= maxRequests, "searches %d: must be between 1 and %d", o.Searches, maxRequests)
	return errors.Join(append(errs, o.messages().Validate())...)
}

// Result is one figure.
type Result = figure.Figure

// Result names, in the order Run returns them.
const (
	NameRebuild       = "query.rebuild"
	NameMessagesP50   = "query.messages.p50_ms"
	NameMessagesP99   = "query.messages.p99_ms"
	NameMessagesCount = "query.messages.count.p99_ms"
	NameSearchIndex   = "query.search.index"
	NameSearchP99     = "query.search.p99_ms"
	NameRSS           = "query.rss_mb"
	unitEventsPerSec  = "events/s"
	unitDocsPerSec    = "docs/s"
	unitMilliseconds  = "ms"
	unitMegabytes     = "MB"
	genesisEvents     = orgs + groups
)
