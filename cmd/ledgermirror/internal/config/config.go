package config

import (
	"errors"
	"fmt"
	"path/filepath"
	"regexp"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/kurrentdb"
	espostgres "github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres"
	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	rmpostgres "github.com/ledgermirror/ledgermirror/adapters/readmodel/postgres"
	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/api"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/logging"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/memlimit"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// Config is one node's whole configuration, one section per component.
type Config struct {
	Log          logging.Config     `yaml:"log"`
	Node         NodeConfig         `yaml:"node"`
	EventStore   EventStoreConfig   `yaml:"eventStore"`
	Namespaces   []NamespaceConfig  `yaml:"namespaces"`
	Chain        ChainConfig        `yaml:"chain"`
	DataExchange DataExchangeConfig `yaml:"dataExchange"`
	Messaging    messaging.Config   `yaml:"messaging"`
	API          api.Config         `yaml:"api"`
	ReadModel    ReadModelConfig    `yaml:"readModel"`
	Search       SearchConfig       `yaml:"search"`
	Delivery     DeliveryConfig     `yaml:"delivery"`
	Cluster      ClusterConfig      `yaml:"cluster"`
}

// ReadModelConfig picks and configures the read-model adapter.
type ReadModelConfig struct {
	// Driver is the adapter: "sqlite" (default) or "postgres".
	Driver   string            `yaml:"driver"`
	SQLite   rmsqlite.Config   `yaml:"sqlite"`
	Postgres rmpostgres.Config `yaml:"postgres"`
}

// NodeConfig says who this node is and where it keeps its files.
type NodeConfig struct {
	// Org is the member organisation's name (its DID is did:lm:org/<org>).
	Org string `yaml:"org"`
	// Name is this node's name within the org.
	Name string `yaml:"name"`
	// DataDir holds every file the node writes unless a component says otherwise.
	DataDir string `yaml:"dataDir"`
	// MemoryLimitMiB is a soft limit on the Go runtime's memory (as
	// GOMEMLIMIT; package memlimit): the garbage collector runs sooner as
	// the heap nears it. 0 (the default) sets none; GOMEMLIMIT in the
	// environment wins. At least 64 when set. SQLite's caches and mapped
	// files are outside it.
	MemoryLimitMiB int `yaml:"memoryLimitMiB"`
}

// Event store drivers.
const (
	DriverSQLite   = "sqlite"
	DriverPostgres = "postgres"
	// DriverKurrentDB is an event-store driver only (KurrentDB or
	// EventStoreDB); the read model stays on SQLite or Postgres.
	DriverKurrentDB = "kurrentdb"
)

// EventStoreConfig picks and configures the event store adapter.
type EventStoreConfig struct {
	// Driver is the adapter: "sqlite" (default), "postgres" or "kurrentdb".
	Driver    string            `yaml:"driver"`
	SQLite    sqlite.Config     `yaml:"sqlite"`
	Postgres  espostgres.Config `yaml:"postgres"`
	KurrentDB kurrentdb.Config  `yaml:"kurrentdb"`
}

// Defaults is the configuration with nothing set by the user.
func Defaults() Config {
	var c Config
	c.SetDefaults()
	return c
}

// SetDefaults fills unset fields of every section.
func (c *Config) SetDefaults() {
	c.Log.SetDefaults()
	c.Node.SetDefaults()
	c.EventStore.SetDefaults()
	c.Chain.SetDefaults()
	c.DataExchange.SetDefaults()
	c.Messaging.SetDefaults()
	c.API.SetDefaults()
	if c.ReadModel.Driver == "" {
		c.ReadModel.Driver = DriverSQLite
	}
	c.ReadModel.SQLite.SetDefaults()
	c.ReadModel.Postgres.SetDefaults()
	c.Search.SetDefaults()
	c.Delivery.SetDefaults()
	c.Cluster.SetDefaults()
}

// SetDefaults fills unset fields.
func (n *NodeConfig) SetDefaults() {
	if n.Org == "" {
		n.Org = "org1"
	}
	if n.Name == "" {
		n.Name = "node1"
	}
	if n.DataDir == "" {
		n.DataDir = "data"
	}
}

// SetDefaults fills unset fields. The SQLite path is not one of them: it is
// derived from node.dataDir once the data directory is known (see
// Config.derive).
func (e *EventStoreConfig) SetDefaults() {
	if e.Driver == "" {
		e.Driver = DriverSQLite
	}
	e.SQLite.SetDefaults()
	e.Postgres.SetDefaults()
	e.KurrentDB.SetDefaults()
}

// derive fills settings that depend on other settings, after every source has
// been applied.
func (c *Config) derive() {
	if c.EventStore.SQLite.Path == "" {
		c.EventStore.SQLite.Path = filepath.Join(c.Node.DataDir, "events.db")
	}
	c.deriveMember()
	if c.ReadModel.SQLite.Path == "" {
		c.ReadModel.SQLite.Path = filepath.Join(c.Node.DataDir, "readmodel.db")
	}
	c.derivePostgres()
	c.Search.derive(c.Node.DataDir)
	c.Cluster.derive()
}

// Validate reports every bad field, each named by its YAML path.
func (c Config) Validate() error {
	return errors.Join(c.Log.Validate(), c.Node.Validate(), c.EventStore.Validate(), validateNamespaces(c.Namespaces),
		c.Chain.Validate(), c.DataExchange.Validate(), prefixed("messaging", c.Messaging.Validate()), prefixed("api", c.API.Validate()), c.ReadModel.Validate(), c.Search.Validate(), c.Delivery.Validate(), c.Cluster.Validate(), c.sameSchema())
}

var nodeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// Validate reports the first bad field.
func (n NodeConfig) Validate() error {
	if !nodeName.MatchString(n.Org) {
		return fmt.Errorf("node.org %q: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", n.Org)
	}
	if !nodeName.MatchString(n.Name) {
		return fmt.Errorf("node.name %q: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", n.Name)
	}
	if n.DataDir == "" {
		return errors.New("node.dataDir: must not be empty")
	}
	if n.MemoryLimitMiB != 0 && (n.MemoryLimitMiB < memlimit.Minimum || n.MemoryLimitMiB > maxMemoryLimitMiB) {
		return fmt.Errorf("node.memoryLimitMiB %d: 0 (none) or between %d and %d", n.MemoryLimitMiB, memlimit.Minimum, maxMemoryLimitMiB)
	}
	return nil
}

// maxMemoryLimitMiB (1 TiB) catches a limit given in bytes or KiB.
const maxMemoryLimitMiB = 1 << 20

// Validate reports the first bad field.
func (e EventStoreConfig) Validate() error {
	switch e.Driver {
	case DriverSQLite:
		if err := e.SQLite.Validate(); err != nil {
			return fmt.Errorf("eventStore.sqlite: %w", err)
		}
		return nil
	case DriverPostgres:
		return prefixed("eventStore.postgres", e.Postgres.Validate())
	case DriverKurrentDB:
		return prefixed("eventStore.kurrentdb", e.KurrentDB.Validate())
	default:
		return fmt.Errorf("eventStore.driver %q: supported drivers are %q, %q and %q", e.Driver, DriverSQLite, DriverPostgres, DriverKurrentDB)
	}
}

func prefixed(section string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", section, err)
}

// Complete derives the settings that depend on others and validates: for a
// configuration built in code (the dev network's members) rather than
// loaded.
func (c *Config) Complete() error {
	c.derive()
	if err := c.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// Validate reports the first bad field.
func (r ReadModelConfig) Validate() error {
	switch r.Driver {
	case DriverSQLite:
		return prefixed("readModel.sqlite", r.SQLite.Validate())
	case DriverPostgres:
		return prefixed("readModel.postgres", r.Postgres.Validate())
	default:
		return fmt.Errorf("readModel.driver %q: supported drivers are %q and %q", r.Driver, DriverSQLite, DriverPostgres)
	}
}
