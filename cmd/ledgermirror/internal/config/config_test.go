package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func writeFile(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "ledgermirror.yaml")
	require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	cfg, unused, err := Load(Source{})
	require.NoError(t, err)
	assert.Empty(t, unused)
	assert.Equal(t, "json", cfg.Log.Format)
	assert.Equal(t, "org1", cfg.Node.Org)
	assert.Equal(t, DriverSQLite, cfg.EventStore.Driver)
	assert.Equal(t, filepath.Join("data", "events.db"), cfg.EventStore.SQLite.Path)
}

func TestPrecedenceFileThenEnvThenFlags(t *testing.T) {
	file := writeFile(t, "log:\n  format: console\n  level: debug\nnode:\n  org: acme\n  dataDir: /srv/lm\n")
	cfg, _, err := Load(Source{
		File:  file,
		Env:   []string{"LM_LOG_LEVEL=warn", "LM_NODE_NAME=n7", "PATH=/bin"},
		Flags: map[string]string{"log.level": "error"},
	})
	require.NoError(t, err)
	assert.Equal(t, "console", cfg.Log.Format, "from the file")
	assert.Equal(t, "acme", cfg.Node.Org, "from the file")
	assert.Equal(t, "n7", cfg.Node.Name, "from the environment")
	assert.Equal(t, "error", cfg.Log.Level, "flags win over env and file")
	assert.Equal(t, filepath.Join("/srv/lm", "events.db"), cfg.EventStore.SQLite.Path, "derived from the data dir")
}

func TestExplicitStorePathIsKept(t *testing.T) {
	cfg, _, err := Load(Source{Env: []string{"LM_EVENTSTORE_SQLITE_PATH=/tmp/x.db"}})
	require.NoError(t, err)
	assert.Equal(t, "/tmp/x.db", cfg.EventStore.SQLite.Path)
}

func TestUnknownEnvIsReportedNotFatal(t *testing.T) {
	_, unused, err := Load(Source{Env: []string{"LM_REQUIRE_SERVICES=1", "LM_NOPE=2"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"LM_NOPE", "LM_REQUIRE_SERVICES"}, unused)
}

func TestErrors(t *testing.T) {
	for name, src := range map[string]Source{
		"unknown yaml key":   {File: writeFile(t, "log:\n  formatt: json\n")},
		"bad yaml":           {File: writeFile(t, "log: [\n")},
		"missing file":       {File: filepath.Join(t.TempDir(), "absent.yaml")},
		"bad format":         {Env: []string{"LM_LOG_FORMAT=xml"}},
		"bad level":          {Flags: map[string]string{"log.level": "loud"}},
		"bad org":            {Env: []string{"LM_NODE_ORG=has space"}},
		"unknown driver":     {Env: []string{"LM_EVENTSTORE_DRIVER=oracle"}},
		"unknown flag path":  {Flags: map[string]string{"no.such": "1"}},
		"unparseable number": {Env: []string{"LM_EVENTSTORE_SQLITE_MAXBATCH=many"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Load(src)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}

func TestPathsListEverySetting(t *testing.T) {
	paths := map[string]string{}
	for _, p := range Paths() {
		paths[p[0]] = p[1]
	}
	assert.Equal(t, "LM_LOG_FORMAT", paths["log.format"])
	assert.Equal(t, "LM_NODE_DATADIR", paths["node.dataDir"])
	assert.Equal(t, "LM_EVENTSTORE_SQLITE_PATH", paths["eventStore.sqlite.path"])
}
