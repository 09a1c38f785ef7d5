package deliverybench

import (
	"errors"
	"fmt"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"
)

// Options says how much to measure.
type Options struct {
	// Events are the messages of the log, each with one message_confirmed
	// event, replayed to the WebSocket client and through GoChannel
	// (default 100,000).
	Events int
	// OutboundEvents are the events delivered to the webhook receiver and
	// to NATS, the first of the same list (default 10,000; at most
	// Events). Outbound delivery has one event in flight at a time.
	OutboundEvents int
	// NATSURL is the NATS server with JetStream (nats://127.0.0.1:4222);
	// empty leaves delivery.nats out.
	NATSURL string
	// Dir holds the benchmark's files; empty means a temporary directory
	// removed afterwards.
	Dir string
}

// ErrInvalidOptions wraps Run's complaint about its Options, so a caller
// can tell bad input from a failed measurement.
var ErrInvalidOptions = errors.New("invalid benchmark options")

// Defaults and limits of Options.
const (
	DefaultEvents         = 100_000
	DefaultOutboundEvents = 10_000
	maxEvents             = 20_000_000
)

func (o *Options) setDefaults() {
	if o.Events == 0 {
		o.Events = DefaultEvents
	}
	if o.OutboundEvents == 0 {
		o.OutboundEvents = min(DefaultOutboundEvents, o.Events)
	}
}

func (o Options) validate() error {
	var errs []error
	if o.Events < 1 || o.Events > maxEvents {
		errs = append(errs, fmt.Errorf("events %d: must be between 1 and %d", o.Events, maxEvents))
	}
	if o.OutboundEvents < 1 || o.OutboundEvents > max(o.Events, 1) {
		errs = append(errs, fmt.Errorf("outbound events %d: must be between 1 and the events (%d)", o.OutboundEvents, o.Events))
	}
	return errors.Join(errs...)
}

// Result is one figure.
type Result = figure.Figure

// Result names, in the order Run returns them.
const (
	NameWSReplay      = "delivery.ws.replay"
	NameGoChannel     = "delivery.gochannel"
	NameRatio         = "delivery.ratio.gochannel"
	NameWebhook       = "delivery.webhook"
	NameNATS          = "delivery.nats"
	unitEventsPerSec  = "events/s"
	unitRatio         = "ratio"
	confirmedEvent    = "message_confirmed"
	benchSubscription = "bench"
)
