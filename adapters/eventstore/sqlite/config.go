package sqlite

import (
	"errors"
	"fmt"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Synchronous settings accepted by Config.Synchronous.
const (
	// SynchronousNormal: a commit is written to the WAL (the operating system
	// holds it) before Append returns; the WAL is fsynced at checkpoints. A
	// process crash or kill -9 loses nothing acknowledged; a power loss or
	// kernel crash may lose the last commits since the previous checkpoint but
	// never corrupts the file.
	SynchronousNormal = "normal"
	// SynchronousFull: the WAL is fsynced at every group commit, so an
	// acknowledged event survives power loss too, at one fsync per commit.
	SynchronousFull = "full"
)

// Defaults applied by SetDefaults.
const (
	DefaultSynchronous  = SynchronousNormal
	DefaultBusyTimeout  = 5 * time.Second
	DefaultMaxBatch     = 1000
	DefaultPollInterval = time.Second
	DefaultReadPageSize = 1000
	DefaultTailEvents   = 2048
	DefaultTailBytes    = 8 << 20
)

// Limits checked by Validate.
const (
	maxMaxBatch     = 100_000
	maxReadPageSize = 100_000
	minPollInterval = 10 * time.Millisecond
	maxTailEvents   = 1 << 20
	minTailBytes    = 64 << 10
	maxTailBytes    = 1 << 30
)

// Config configures the SQLite event store. The zero value plus a Path is a
// working configuration once SetDefaults has run.
type Config struct {
	// Path is the database file; SQLite keeps "-wal" and "-shm" files beside
	// it. Its directory is created if missing. No default: the node derives it
	// from its data directory.
	Path string `yaml:"path"`
	// Synchronous is "normal" (default) or "full"; see SynchronousNormal and
	// SynchronousFull for what each survives.
	Synchronous string `yaml:"synchronous"`
	// BusyTimeout is how long a connection waits for a lock held by another
	// connection before it fails (default 5s). Within one process the single
	// writer never waits on itself; this covers outside tools holding the file.
	BusyTimeout time.Duration `yaml:"busyTimeout"`
	// MaxBatch bounds how many events one group commit writes (default 1000).
	// An Append larger than MaxBatch is still atomic: it commits alone.
	MaxBatch int `yaml:"maxBatch"`
	// PollInterval is the live subscriptions' safety net: a waiting
	// subscription re-reads the file this often even without a commit
	// notification (default 1s, at least 10ms). Notifications, not this, are
	// what delivers new events promptly.
	PollInterval time.Duration `yaml:"pollInterval"`
	// ReadPageSize is how many events ReadAll returns when its limit is <= 0,
	// and how many a subscription reads per query (default 1000).
	ReadPageSize int `yaml:"readPageSize"`
	// TailEvents and TailBytes bound the live tail, the latest committed
	// events kept in memory for subscriptions that have caught up (defaults
	// 2048 events, 8 MiB counting data, strings and a fixed per-event
	// overhead). A subscription further behind than the tail reads the file,
	// then moves to the tail once it catches up: the bounds trade memory for
	// how far behind a subscriber may fall before it queries again. Payloads
	// decoded into the events' Memos are not counted, and may add about as
	// much again.
	TailEvents int `yaml:"tailEvents"`
	TailBytes  int `yaml:"tailBytes"`

	// idMergeAt overrides the deferred id index's merge threshold; tests set
	// it small to exercise merges. Zero means the adaptive default.
	idMergeAt int
	// hooks inject faults in tests; nil otherwise.
	hooks *testHooks
}

// testHooks are the points where tests inject the faults a disk or the
// operating system can cause. A nil hook does nothing.
type testHooks struct {
	// afterCommit runs after a group's COMMIT succeeded; an error is handled
	// as if COMMIT had reported it (a commit whose outcome is unknown).
	afterCommit func() error
	// merge runs inside the id merge at "inserted" (event_ids written, not
	// committed) and "committed" (committed, memory not yet updated); an
	// error fails the merge at that point.
	merge func(stage string) error
	// fileRead runs when a subscription reads the page after pos from the
	// file rather than the live tail.
	fileRead func(after event.Position)
}

// SetDefaults fills every unset field except Path.
func (c *Config) SetDefaults() {
	if c.Synchronous == "" {
		c.Synchronous = DefaultSynchronous
	}
	if c.BusyTimeout == 0 {
		c.BusyTimeout = DefaultBusyTimeout
	}
	if c.MaxBatch == 0 {
		c.MaxBatch = DefaultMaxBatch
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.ReadPageSize == 0 {
		c.ReadPageSize = DefaultReadPageSize
	}
	if c.TailEvents == 0 {
		c.TailEvents = DefaultTailEvents
	}
	if c.TailBytes == 0 {
		c.TailBytes = DefaultTailBytes
	}
}

// Validate reports every bad field, each named by its YAML key.
func (c Config) Validate() error {
	var errs []error
	if c.Path == "" {
		errs = append(errs, errors.New("path: must not be empty"))
	}
	if c.Synchronous != SynchronousNormal && c.Synchronous != SynchronousFull {
		errs = append(errs, fmt.Errorf("synchronous %q: must be %q or %q", c.Synchronous, SynchronousNormal, SynchronousFull))
	}
	if c.BusyTimeout < 0 {
		errs = append(errs, fmt.Errorf("busyTimeout %s: must not be negative", c.BusyTimeout))
	}
	if c.MaxBatch < 1 || c.MaxBatch > maxMaxBatch {
		errs = append(errs, fmt.Errorf("maxBatch %d: must be between 1 and %d", c.MaxBatch, maxMaxBatch))
	}
	if c.PollInterval < minPollInterval {
		errs = append(errs, fmt.Errorf("pollInterval %s: must be at least %s", c.PollInterval, minPollInterval))
	}
	if c.ReadPageSize < 1 || c.ReadPageSize > maxReadPageSize {
		errs = append(errs, fmt.Errorf("readPageSize %d: must be between 1 and %d", c.ReadPageSize, maxReadPageSize))
	}
	if c.TailEvents < 1 || c.TailEvents > maxTailEvents {
		errs = append(errs, fmt.Errorf("tailEvents %d: must be between 1 and %d", c.TailEvents, maxTailEvents))
	}
	if c.TailBytes < minTailBytes || c.TailBytes > maxTailBytes {
		errs = append(errs, fmt.Errorf("tailBytes %d: must be between %d and %d", c.TailBytes, minTailBytes, maxTailBytes))
	}
	return errors.Join(errs...)
}
