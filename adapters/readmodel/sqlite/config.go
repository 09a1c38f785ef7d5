package sqlite

import (
	"errors"
	"fmt"
	"time"
)

// Synchronous settings accepted by Config.Synchronous.
const (
	// SynchronousNormal: a commit is in the WAL (the operating system holds
	// it) when Commit returns; the WAL is fsynced at checkpoints. A power
	// loss may lose the last commits, rows and checkpoints together, which
	// the runner then projects again.
	SynchronousNormal = "normal"
	// SynchronousFull fsyncs the WAL at every commit.
	SynchronousFull = "full"
)

// Defaults applied by SetDefaults.
const (
	DefaultSynchronous = SynchronousNormal
	DefaultBusyTimeout = 5 * time.Second
	DefaultReadConns   = 4
	// DefaultCacheMiB is the writer's: 2 MiB projected the e2e network's
	// messages as fast as 4 did, with ~12 MB less resident memory over its
	// three members.
	DefaultCacheMiB = 2
	// DefaultReaderCacheMiB is small because a reader's cache rarely
	// outlives a query on a live node: SQLite empties a WAL reader's cache
	// whenever it starts a read after another connection committed, which
	// the projections do many times a second.
	DefaultReaderCacheMiB = 2
)

// Limits checked by Validate.
const (
	maxReadConns = 64
	maxCacheMiB  = 1 << 16
)

// Config configures the SQLite read model. The zero value plus a Path is a
// working configuration once SetDefaults has run.
type Config struct {
	// Path is the database file; SQLite keeps "-wal" and "-shm" files beside
	// it. Its directory is created if missing. No default: the node derives
	// it from its data directory (and a rebuild from the generation).
	Path string `yaml:"path"`
	// Synchronous is "normal" (default) or "full"; see SynchronousNormal.
	Synchronous string `yaml:"synchronous"`
	// BusyTimeout is how long a connection waits for a lock another
	// connection holds (default 5s): a second process writing the same file,
	// or a long read-only SQL session of an operator.
	BusyTimeout time.Duration `yaml:"busyTimeout"`
	// ReadConns bounds the read-only connection pool that serves Find, Get,
	// Checkpoints and Digest (default 4).
	ReadConns int `yaml:"readConns"`
	// CacheMiB is the page cache of the writer's connection (default 2). A
	// live node's transactions are small, and a page missed is read from
	// the OS's file cache; a cached page costs about twice its size in
	// resident memory (modernc's allocator rounds it up to an 8 KiB slot).
	// A rebuild into a new generation (DeferIndexes) uses at least 16 MiB
	// while it loads.
	CacheMiB int `yaml:"cacheMiB"`
	// ReaderCacheMiB is the page cache of each read-only connection
	// (default 2; see DefaultReaderCacheMiB). Every reader's cache counts
	// in the node's memory, ReadConns times.
	ReaderCacheMiB int `yaml:"readerCacheMiB"`
	// DeferIndexes creates new tables without their secondary indexes, for
	// a bulk load such as a rebuild into a new file: inserting into a table
	// and then indexing it is several times faster than keeping a dozen
	// indexes up to date row by row. Queries are right but slow until the
	// indexes exist: Store.BuildIndexes builds them, and so does the next
	// Open without DeferIndexes.
	DeferIndexes bool `yaml:"deferIndexes"`
}

// SetDefaults fills every unset field except Path.
func (c *Config) SetDefaults() {
	if c.Synchronous == "" {
		c.Synchronous = DefaultSynchronous
	}
	if c.BusyTimeout == 0 {
		c.BusyTimeout = DefaultBusyTimeout
	}
	if c.ReadConns == 0 {
		c.ReadConns = DefaultReadConns
	}
	if c.CacheMiB == 0 {
		c.CacheMiB = DefaultCacheMiB
	}
	if c.ReaderCacheMiB == 0 {
		c.ReaderCacheMiB = DefaultReaderCacheMiB
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
	if c.ReadConns < 1 || c.ReadConns > maxReadConns {
		errs = append(errs, fmt.Errorf("readConns %d: must be between 1 and %d", c.ReadConns, maxReadConns))
	}
	if c.CacheMiB < 1 || c.CacheMiB > maxCacheMiB {
		errs = append(errs, fmt.Errorf("cacheMiB %d: must be between 1 and %d", c.CacheMiB, maxCacheMiB))
	}
	if c.ReaderCacheMiB < 1 || c.ReaderCacheMiB > maxCacheMiB {
		errs = append(errs, fmt.Errorf("readerCacheMiB %d: must be between 1 and %d", c.ReaderCacheMiB, maxCacheMiB))
	}
	return errors.Join(errs...)
}
