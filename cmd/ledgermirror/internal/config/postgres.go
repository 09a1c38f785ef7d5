package config

import "fmt"

// derivePostgres lets a read model on Postgres default to the event
// store's database: a member that keeps both there names the server once.
// The schemas differ by default (ledgermirror, ledgermirror_readmodel).
func (c *Config) derivePostgres() {
	if c.ReadModel.Postgres.URL == "" && c.EventStore.Driver == DriverPostgres {
		c.ReadModel.Postgres.URL = c.EventStore.Postgres.URL
	}
}

// sameSchema reports a read model and an event store configured into one
// Postgres schema: each records its own migrations in schema_migrations,
// and they would take each other's for their own.
func (c Config) sameSchema() error {
	if c.EventStore.Driver == DriverPostgres && c.ReadModel.Driver == DriverPostgres &&
		c.EventStore.Postgres.URL == c.ReadModel.Postgres.URL && c.EventStore.Postgres.Schema == c.ReadModel.Postgres.Schema {
		return fmt.Errorf("readModel.postgres.schema %q: must differ from eventStore.postgres.schema on the same database", c.ReadModel.Postgres.Schema)
	}
	return nil
}
