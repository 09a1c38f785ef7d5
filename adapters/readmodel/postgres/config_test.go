package postgres

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfig(t *testing.T) {
	var c Config
	c.URL = "postgres://u@localhost/db"
	c.SetDefaults()
	require.NoError(t, c.Validate())
	assert.Equal(t, DefaultSchema, c.Schema)

	for _, tc := range []struct {
		key   string
		spoil func(*Config)
	}{
		{"url", func(c *Config) { c.URL = "" }},
		{"url", func(c *Config) { c.URL = "postgres://u:secret@[::1" }},
		{"schema", func(c *Config) { c.Schema = "Has-Caps" }},
		{"maxConns", func(c *Config) { c.MaxConns = 1 }},
		{"connectTimeout", func(c *Config) { c.ConnectTimeout = -1 }},
	} {
		bad := c
		tc.spoil(&bad)
		err := bad.Validate()
		require.Error(t, err, tc.key)
		assert.Regexp(t, "^"+tc.key+"[: ]", err.Error(), "the error names the YAML key")
		assert.NotContains(t, err.Error(), "secret", "the password is never quoted")
	}
}
