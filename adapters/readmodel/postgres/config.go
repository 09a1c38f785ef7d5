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
	DefaultSchema         = "ledgermirror_readmodel"
	DefaultMaxConns       = 8
	DefaultConnectTimeout = 10 * time.Second
)

// Limits checked by Validate.
const (
	maxMaxConns = 1000
	// maxSchemaLength leaves room for a generation suffix ("_g123") within
	// Postgres' 63-byte identifiers.
	maxSchemaLength = 48
)

// schemaName is what Schema may be: a lower-case SQL identifier that needs no
// quoting, so it reads the same in psql as in the code.
var schemaName = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

// Config configures the Postgres read model. The zero value plus a URL is a
// working configuration once SetDefaults has run.
type Config struct {
	// URL is a libpq-style connection string or postgres:// URL. No
	// default: the node's configuration names its database.
	URL string `yaml:"url"`
	// Schema holds the read model's tables (default
	// "ledgermirror_readmodel"); it is created if missing. It must differ
	// from the event store's schema when both share a database: each keeps
	// its own migration record.
	Schema string `yaml:"schema"`
	// MaxConns bounds the connection pool (default 8, at least 2: the
	// writer's and a reader's).
	MaxConns int `yaml:"maxConns"`
	// ConnectTimeout bounds Open's first connection and the migration
	// (default 10s).
	ConnectTimeout time.Duration `yaml:"connectTimeout"`
	// DeferIndexes creates new tables without their secondary indexes, for
	// a bulk load such as a rebuild: Store.BuildIndexes (or the next Open
	// without it) builds them once the rows are in.
	DeferIndexes bool `yaml:"deferIndexes"`
}

// SetDefaults fills every unset field except URL.
func (c *Config) SetDefaults() {
	if c.Schema == "" {
		c.Schema = DefaultSchema
	}
	if c.MaxConns == 0 {
		c.MaxConns = DefaultMaxConns
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
	if c.ConnectTimeout <= 0 {
		errs = append(errs, fmt.Errorf("connectTimeout %s: must be positive", c.ConnectTimeout))
	}
	return errors.Join(errs...)
}
