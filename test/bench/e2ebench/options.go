package e2ebench

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"
)

// Options says how much to measure.
type Options struct {
	// Messages broadcast by the throughput phase (default 100,000).
	Messages int
	// PrivateMessages sent to the org1+org2 group by the private phase
	// (default: Messages).
	PrivateMessages int
	// Topics the messages are spread over, round robin (default 10).
	Topics int
	// PayloadBytes is the size of each message's one data value, a JSON
	// object (default 1,024).
	PayloadBytes int
	// Senders are the concurrent HTTP clients of the throughput and paced
	// phases (default 64: the throughput figures measure what the network
	// can take, not what a few clients waiting on each other can send).
	Senders int
	// Rate is the paced phase's messages per second (default 1,000), for
	// PacedDuration (default 10 s).
	Rate          int
	PacedDuration time.Duration
	// IdleMessages are sent one at a time, each after the previous one is
	// confirmed everywhere and IdlePause has passed (defaults 50 and 100 ms).
	IdleMessages int
	IdlePause    time.Duration
	// Stall fails a phase when no message completes for this long
	// (default 60 s).
	Stall time.Duration
	// Dir holds the network's data; empty means a temporary directory
	// removed afterwards.
	Dir string
	// CPUProfile, if set, receives a CPU profile of the broadcast throughput
	// phase, and nothing else.
	CPUProfile io.Writer
	// Trace, if set, receives a runtime execution trace of five seconds of
	// the broadcast throughput phase, from five seconds in.
	Trace io.Writer
	// HeapProfile, if set, receives a heap profile taken when the live Go
	// heap was within 10% of its peak over the run.
	HeapProfile io.Writer
}

// ErrInvalidOptions wraps Run's complaint about its Options, so a caller can
// tell bad input from a failed measurement.
var ErrInvalidOptions = errors.New("invalid benchmark options")

// Defaults of Options.
const (
	DefaultMessages      = 100_000
	DefaultTopics        = 10
	DefaultPayloadBytes  = 1024
	DefaultSenders       = 64
	DefaultRate          = 1000
	DefaultPacedDuration = 10 * time.Second
	DefaultIdleMessages  = 50
	DefaultIdlePause     = 100 * time.Millisecond
	DefaultStall         = time.Minute
)

// Limits of Options.
const (
	maxMessages = 10_000_000
	maxTopics   = 1000
	// maxPayloadBytes keeps a request well inside the API's default 1 MiB
	// body limit.
	maxPayloadBytes = 512 * 1024
	maxSenders      = 256
	maxRate         = 100_000
	minPaced        = 100 * time.Millisecond
	maxPaced        = time.Hour
	maxIdlePause    = 10 * time.Second
)

func (o *Options) setDefaults() {
	if o.Messages == 0 {
		o.Messages = DefaultMessages
	}
	if o.PrivateMessages == 0 {
		o.PrivateMessages = o.Messages
	}
	if o.Topics == 0 {
		o.Topics = DefaultTopics
	}
	if o.PayloadBytes == 0 {
		o.PayloadBytes = DefaultPayloadBytes
	}
	if o.Senders == 0 {
		o.Senders = DefaultSenders
	}
	if o.Rate == 0 {
		o.Rate = DefaultRate
	}
	if o.PacedDuration == 0 {
		o.PacedDuration = DefaultPacedDuration
	}
	if o.IdleMessages == 0 {
		o.IdleMessages = DefaultIdleMessages
	}
	if o.IdlePause == 0 {
		o.IdlePause = DefaultIdlePause
	}
	if o.Stall == 0 {
		o.Stall = DefaultStall
	}
}

func (o Options) validate() error {
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf(format, args...))
		}
	}
	check(o.Messages >= 1 && o.Messages <= maxMessages, "messages %d: must be between 1 and %d", o.Messages, maxMessages)
	check(o.PrivateMessages >= 1 && o.PrivateMessages <= maxMessages, "private messages %d: must be between 1 and %d", o.PrivateMessages, maxMessages)
	check(o.Topics >= 1 && o.Topics <= maxTopics, "topics %d: must be between 1 and %d", o.Topics, maxTopics)
	check(o.PayloadBytes >= 1 && o.PayloadBytes <= maxPayloadBytes, "payload bytes %d: must be between 1 and %d", o.PayloadBytes, maxPayloadBytes)
	check(o.Senders >= 1 && o.Senders <= maxSenders, "senders %d: must be between 1 and %d", o.Senders, maxSenders)
	check(o.Rate >= 1 && o.Rate <= maxRate, "rate %d: must be between 1 and %d messages per second", o.Rate, maxRate)
	check(o.PacedDuration >= minPaced && o.PacedDuration <= maxPaced, "paced duration %s: must be between %s and %s", o.PacedDuration, minPaced, maxPaced)
	check(o.pacedMessages() >= 1 && o.pacedMessages() <= maxMessages, "rate × paced duration is %d messages: must be between 1 and %d", o.pacedMessages(), maxMessages)
	check(o.IdleMessages >= 1 && o.IdleMessages <= 10_000, "idle messages %d: must be between 1 and 10000", o.IdleMessages)
	check(o.IdlePause >= 0 && o.IdlePause <= maxIdlePause, "idle pause %s: must be between 0 and %s", o.IdlePause, maxIdlePause)
	check(o.Stall >= time.Second, "stall %s: must be at least 1s", o.Stall)
	return errors.Join(errs...)
}

// pacedMessages is how many messages the paced phase sends.
func (o Options) pacedMessages() int {
	return int(float64(o.Rate) * o.PacedDuration.Seconds())
}

// Result is one figure.
type Result = figure.Figure

// Result names, in the order Run returns them.
const (
	NameBroadcastThroughput = "e2e.broadcast.throughput"
	NameBroadcastP50        = "e2e.broadcast.p50_ms"
	NameBroadcastP99        = "e2e.broadcast.p99_ms"
	NamePrivateThroughput   = "e2e.private.throughput"
	NameRSS                 = "e2e.rss_mb"
	NameIdleP50             = "e2e.idle.p50_ms"

	unitMessagesPerSecond = "msg/s"
	unitMilliseconds      = "ms"
	unitMegabytes         = "MB"
)
