package postgres

import (
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Defaults applied by SetDefaults.
const (
	DefaultSchema         = "ledgermirror"
	DefaultMaxConns       = 8
	DefaultMaxBatch       = 1000
	DefaultPollInterval   = 30 * time.Second
	DefaultReadPageSize   = 1000
	DefaultConnectTimeout = 10 * time.Second
)

// Limits checked by Validate.
const (
	maxMaxConns     = 1000
	maxMaxBatch     = 100_000
	maxReadPageSize = 100_000
	minPollInterval = 10 * time.Millisecond
	// maxSchemaLength leaves room for the notification channel's suffix
	// within Postgres' 63-byte identifiers (see notifyChannel).
	maxSchemaLength = 48
)

// schemaName is what Schema may be: a lower-case SQL identifier that needs no
// quoting, so it reads the same in psql as in the code.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Config configures the Postgres event store. The zero value plus a URL is a
// working configuration once SetDefaults has run.
type Config struct {
	// URL is a libpq-style connection string or postgres:// URL
	// ("postgres://user@host:5432/db?sslmode=disable"). No default: the node's
	// configuration names its database.
	URL string `yaml:"url"`
	// Schema holds the store's tables (default "ledgermirror"); it is
	// created if missing. Several stores (several members, or test runs) can
	// share one database in different schemas; several instances of one
	// member share one schema.
	Schema string `yaml:"schema"`
	// MaxConns bounds the connection pool used for appends and reads
	// (default 8, at least 2: the writer's and a reader's). Live
	// subscriptions hold no connection while they wait; the notification
	// listener has one connection of its own outside the pool.
	MaxConns int `yaml:"maxConns"`
	// MaxBatch bounds how many events one group commit writes (default
	// 1000). An Append larger than MaxBatch is still atomic: it commits alone.
	MaxBatch int `yaml:"maxBatch"`
	// PollInterval is the live subscriptions' safety net: a waiting
	// subscription re-reads this often even without a notification (default
	// 30s, at least 10ms). LISTEN/NOTIFY, not this, is what delivers new
	// events promptly.
	PollInterval time.Duration `yaml:"pollInterval"`
	// ReadPageSize is how many events ReadAll returns when its limit is <= 0,
	// and how many a subscription reads per query (default 1000).
	ReadPageSize int `yaml:"readPageSize"`
	// ConnectTimeout bounds Open's first connection and the migration
	// (default 10s).
	ConnectTimeout time.Duration `yaml:"connectTimeout"`

	// hooks change the store's behaviour in tests; nil otherwise.
	hooks *testHooks
}

// SetDefaults fills every unset field except URL.
func (c *Config) SetDefaults() {
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
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
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
}

// Validate reports every bad field, each named by its YAML key. The URL is
// parsed but not connected to.
func (c Config) Validate() error {
	var errs []error
	if c.URL == "" {
		errs = append(errs, errors.New("url: must not be empty"))
	} else if _, err := pgxpool.ParseConfig(c.URL); err != nil {
		// pgx's message may quote the URL with its password; say only what is wrong.
		errs = append(errs, errors.New("url: not a valid Postgres connection string"))
	}
	if len(c.Schema) > maxSchemaLength || !schemaName.MatchString(c.Schema) {
		errs = append(errs, fmt.Errorf("schema %q: must be a lower-case identifier ([a-z_][a-z0-9_]*) of at most %d bytes", c.Schema, maxSchemaLength))
	}
	if c.MaxConns < 2 || c.MaxConns > maxMaxConns {
		errs = append(errs, fmt.Errorf("maxConns %d: must be between 2 and %d", c.MaxConns, maxMaxConns))
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
	if c.ConnectTimeout <= 0 {
		errs = append(errs, fmt.Errorf("connectTimeout %s: must be positive", c.ConnectTimeout))
	}
	return errors.Join(errs...)
}

// notifyChannel is the LISTEN/NOTIFY channel of a schema's store.
func notifyChannel(schema string) string { return schema + "_events" }
