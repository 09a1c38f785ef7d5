package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/kurrentdb"
)

func TestKurrentDBDriver(t *testing.T) {
	const url = "esdb://kurrentdb:2113?tls=false"
	cfg, _, err := Load(Source{Env: []string{"LM_EVENTSTORE_DRIVER=kurrentdb", "LM_EVENTSTORE_KURRENTDB_URL=" + url,
		"LM_EVENTSTORE_KURRENTDB_STREAMPREFIX=org2/"}})
	require.NoError(t, err)
	assert.Equal(t, DriverKurrentDB, cfg.EventStore.Driver)
	assert.Equal(t, url, cfg.EventStore.KurrentDB.URL)
	assert.Equal(t, "org2/", cfg.EventStore.KurrentDB.StreamPrefix)
	assert.Equal(t, kurrentdb.DefaultReadPageSize, cfg.EventStore.KurrentDB.ReadPageSize)
	assert.Equal(t, DriverSQLite, cfg.ReadModel.Driver, "the read model stays where it was")

	for name, tc := range map[string]struct {
		env  []string
		want string
	}{
		"without a url":   {[]string{"LM_EVENTSTORE_DRIVER=kurrentdb"}, "eventStore.kurrentdb: url: must not be empty"},
		"a postgres url":  {[]string{"LM_EVENTSTORE_DRIVER=kurrentdb", "LM_EVENTSTORE_KURRENTDB_URL=postgres://db/lm"}, "eventStore.kurrentdb: url: not a valid"},
		"a nested prefix": {[]string{"LM_EVENTSTORE_DRIVER=kurrentdb", "LM_EVENTSTORE_KURRENTDB_URL=" + url, "LM_EVENTSTORE_KURRENTDB_STREAMPREFIX=a/b/"}, "eventStore.kurrentdb: streamPrefix"},
	} {
		_, _, err := Load(Source{Env: tc.env})
		require.ErrorIs(t, err, ErrInvalidConfig, name)
		assert.ErrorContains(t, err, tc.want, name)
	}
}

func TestKurrentDBUnknownKey(t *testing.T) {
	p := filepath.Join(t.TempDir(), "ledgermirror.yaml")
	require.NoError(t, os.WriteFile(p, []byte("eventStore:\n  driver: kurrentdb\n  kurrentdb:\n    url: esdb://kurrentdb:2113\n    schema: org1\n"), 0o600))
	_, _, err := Load(Source{File: p})
	require.Error(t, err)
	assert.ErrorContains(t, err, "schema")
}
