package kurrentdb

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestConfigDefaults(t *testing.T) {
	cfg := Config{URL: "kurrentdb://localhost:2113?tls=false"}
	cfg.SetDefaults()
	assert.NoError(t, cfg.Validate())
	assert.Equal(t, DefaultStreamPrefix, cfg.StreamPrefix)
	assert.Equal(t, DefaultConnectTimeout, cfg.ConnectTimeout)
	assert.Equal(t, DefaultAppendTimeout, cfg.AppendTimeout)
	assert.Equal(t, DefaultReadPageSize, cfg.ReadPageSize)
}

func TestConfigAcceptsEsdbURLs(t *testing.T) {
	for _, url := range []string{
		"esdb://localhost:2113?tls=false",
		"esdb+discover://admin:changeit@node1:2113,node2:2113",
		"kurrentdb://admin:changeit@localhost:2113?tls=false&connectionName=lm",
	} {
		cfg := Config{URL: url}
		cfg.SetDefaults()
		assert.NoError(t, cfg.Validate(), url)
	}
}

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		c := Config{URL: "kurrentdb://admin:secret@localhost:2113?tls=false"}
		c.SetDefaults()
		return c
	}
	cases := map[string]struct {
		mut  func(*Config)
		want string
	}{
		"no url":             {func(c *Config) { c.URL = "" }, "url: must not be empty"},
		"postgres url":       {func(c *Config) { c.URL = "postgres://u:secret@localhost/db" }, "url: not a valid"},
		"bad option":         {func(c *Config) { c.URL = "esdb://admin:secret@localhost:2113?tls=maybe" }, "url: not a valid"},
		"prefix no slash":    {func(c *Config) { c.StreamPrefix = "ledgermirror" }, "streamPrefix"},
		"prefix two slashes": {func(c *Config) { c.StreamPrefix = "a/b/" }, "streamPrefix"},
		"system prefix":      {func(c *Config) { c.StreamPrefix = "$lm/" }, "streamPrefix"},
		"claim char prefix":  {func(c *Config) { c.StreamPrefix = "lm#ids/" }, "streamPrefix"},
		"long prefix":        {func(c *Config) { c.StreamPrefix = strings.Repeat("p", maxStreamPrefixLen) + "/" }, "streamPrefix"},
		"negative connect":   {func(c *Config) { c.ConnectTimeout = -time.Second }, "connectTimeout"},
		"negative append":    {func(c *Config) { c.AppendTimeout = -time.Second }, "appendTimeout"},
		"page 0":             {func(c *Config) { c.ReadPageSize = -1 }, "readPageSize"},
		"huge page":          {func(c *Config) { c.ReadPageSize = maxReadPageSize + 1 }, "readPageSize"},
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
