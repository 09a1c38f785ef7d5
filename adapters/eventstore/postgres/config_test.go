package postgres

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestConfigDefaults(t *testing.T) {
	cfg := Config{URL: "postgres://u@localhost/db"}
	cfg.SetDefaults()
	assert.NoError(t, cfg.Validate())
	assert.Equal(t, DefaultSchema, cfg.Schema)
	assert.Equal(t, DefaultMaxConns, cfg.MaxConns)
	assert.Equal(t, DefaultMaxBatch, cfg.MaxBatch)
	assert.Equal(t, DefaultPollInterval, cfg.PollInterval)
	assert.Equal(t, DefaultReadPageSize, cfg.ReadPageSize)
	assert.Equal(t, DefaultConnectTimeout, cfg.ConnectTimeout)
}

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		c := Config{URL: "postgres://u:secret@localhost/db"}
		c.SetDefaults()
		return c
	}
	cases := map[string]struct {
		mut  func(*Config)
		want string
	}{
		"no url":           {func(c *Config) { c.URL = "" }, "url: must not be empty"},
		"bad url":          {func(c *Config) { c.URL = "postgres://u:secret@localhost:notaport/db" }, "url: not a valid"},
		"upper schema":     {func(c *Config) { c.Schema = "Ledger" }, "schema"},
		"quoted schema":    {func(c *Config) { c.Schema = `a"b` }, "schema"},
		"long schema":      {func(c *Config) { c.Schema = strings.Repeat("s", maxSchemaLength+1) }, "schema"},
		"one conn":         {func(c *Config) { c.MaxConns = 1 }, "maxConns"},
		"batch 0":          {func(c *Config) { c.MaxBatch = -1 }, "maxBatch"},
		"fast poll":        {func(c *Config) { c.PollInterval = time.Millisecond }, "pollInterval"},
		"huge page":        {func(c *Config) { c.ReadPageSize = maxReadPageSize + 1 }, "readPageSize"},
		"negative timeout": {func(c *Config) { c.ConnectTimeout = -time.Second }, "connectTimeout"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			c := valid()
			tc.mut(&c)
			err := c.Validate()
			if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tc.want)
				assert.NotContains(t, err.Error(), "secret", "the password never appears in errors")
			}
		})
	}
}

func TestMigrationsAreConsecutive(t *testing.T) {
	all, err := migrations()
	assert.NoError(t, err)
	assert.NotEmpty(t, all)
	for i, m := range all {
		assert.Equal(t, i+1, m.version, m.name)
	}
}
