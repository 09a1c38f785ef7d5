package config

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPostgresDrivers(t *testing.T) {
	const url = "postgres://lm@db:5432/lm"
	cfg, _, err := Load(Source{Env: []string{"LM_EVENTSTORE_DRIVER=postgres", "LM_EVENTSTORE_POSTGRES_URL=" + url,
		"LM_READMODEL_DRIVER=postgres"}})
	require.NoError(t, err)
	assert.Equal(t, url, cfg.ReadModel.Postgres.URL, "the read model defaults to the event store's database")
	assert.Equal(t, "ledgermirror", cfg.EventStore.Postgres.Schema)
	assert.Equal(t, "ledgermirror_readmodel", cfg.ReadModel.Postgres.Schema)

	// Either store on Postgres with the other on SQLite.
	_, _, err = Load(Source{Env: []string{"LM_EVENTSTORE_DRIVER=postgres", "LM_EVENTSTORE_POSTGRES_URL=" + url}})
	require.NoError(t, err)
	_, _, err = Load(Source{Env: []string{"LM_READMODEL_DRIVER=postgres", "LM_READMODEL_POSTGRES_URL=" + url}})
	require.NoError(t, err)

	for name, tc := range map[string]struct {
		env  []string
		want string
	}{
		"event store without a url": {[]string{"LM_EVENTSTORE_DRIVER=postgres"}, "eventStore.postgres: url"},
		"read model without a url":  {[]string{"LM_READMODEL_DRIVER=postgres"}, "readModel.postgres: url"},
		"unknown read-model driver": {[]string{"LM_READMODEL_DRIVER=mysql"}, `readModel.driver "mysql": supported drivers are "sqlite" and "postgres"`},
		"unknown event-store driver": {[]string{"LM_EVENTSTORE_DRIVER=mysql"},
			`eventStore.driver "mysql": supported drivers are "sqlite", "postgres" and "kurrentdb"`},
		"one schema for both": {[]string{"LM_EVENTSTORE_DRIVER=postgres", "LM_EVENTSTORE_POSTGRES_URL=" + url,
			"LM_READMODEL_DRIVER=postgres", "LM_READMODEL_POSTGRES_SCHEMA=ledgermirror"}, "must differ from eventStore.postgres.schema"},
	} {
		_, _, err := Load(Source{Env: tc.env})
		require.ErrorIs(t, err, ErrInvalidConfig, name)
		assert.ErrorContains(t, err, tc.want, name)
	}
}

// TestSamplePostgresConfig: deployments/postgres.yaml loads and says what
// it promises.
func TestSamplePostgresConfig(t *testing.T) {
	cfg, _, err := Load(Source{File: filepath.Join("..", "..", "..", "..", "deployments", "postgres.yaml")})
	require.NoError(t, err)
	assert.Equal(t, DriverPostgres, cfg.EventStore.Driver)
	assert.Equal(t, DriverPostgres, cfg.ReadModel.Driver)
	assert.Equal(t, cfg.EventStore.Postgres.URL, cfg.ReadModel.Postgres.URL)
	assert.Equal(t, "embedded", cfg.Chain.Driver)
}
