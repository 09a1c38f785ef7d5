package local

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestConfigDefaults(t *testing.T) {
	c := Config{Dir: "d", PublicURL: "http://127.0.0.1:5000"}
	c.SetDefaults()
	assert.Equal(t, Config{Dir: "d", PublicURL: "http://127.0.0.1:5000", MaxPayloadBytes: 64 << 20, FetchTimeout: 30 * time.Second}, c)
	assert.NoError(t, c.Validate())

	set := Config{Dir: "d", PublicURL: "https://x", MaxPayloadBytes: 1, FetchTimeout: time.Second}
	kept := set
	set.SetDefaults()
	assert.Equal(t, kept, set, "SetDefaults keeps what is set")
}

func TestConfigValidate(t *testing.T) {
	cases := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"no dir", func(c *Config) { c.Dir = "" }, "dir"},
		{"no public URL", func(c *Config) { c.PublicURL = "" }, "publicURL"},
		{"relative public URL", func(c *Config) { c.PublicURL = "/dx" }, "publicURL"},
		{"public URL with query", func(c *Config) { c.PublicURL = "http://h/?a=b" }, "publicURL"},
		{"public URL not http", func(c *Config) { c.PublicURL = "ftp://h" }, "publicURL"},
		{"negative max payload", func(c *Config) { c.MaxPayloadBytes = -1 }, "maxPayloadBytes"},
		{"negative fetch timeout", func(c *Config) { c.FetchTimeout = -time.Second }, "fetchTimeout"},
	}
	for _, tc := range cases {
		c := Config{Dir: "d", PublicURL: "http://127.0.0.1:5000/"}
		c.SetDefaults()
		tc.change(&c)
		assert.ErrorContains(t, c.Validate(), tc.want, tc.name)
	}
}
