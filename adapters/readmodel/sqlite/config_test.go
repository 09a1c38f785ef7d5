package sqlite

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestConfigDefaults(t *testing.T) {
	c := Config{Path: "readmodel.db"}
	c.SetDefaults()
	assert.Equal(t, Config{
		Path:           "readmodel.db",
		Synchronous:    SynchronousNormal,
		BusyTimeout:    5 * time.Second,
		ReadConns:      4,
		CacheMiB:       DefaultCacheMiB,
		ReaderCacheMiB: DefaultReaderCacheMiB,
	}, c)
	assert.NoError(t, c.Validate())

	set := Config{Path: "x", Synchronous: SynchronousFull, BusyTimeout: time.Millisecond, ReadConns: 2, CacheMiB: 8, ReaderCacheMiB: 1}
	kept := set
	set.SetDefaults()
	assert.Equal(t, kept, set, "SetDefaults keeps what is set")
}

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		c := Config{Path: "readmodel.db"}
		c.SetDefaults()
		return c
	}
	cases := []struct {
		name   string
		change func(*Config)
		want   string
	}{
		{"empty path", func(c *Config) { c.Path = "" }, "path"},
		{"unknown synchronous", func(c *Config) { c.Synchronous = "off" }, "synchronous"},
		{"negative busy timeout", func(c *Config) { c.BusyTimeout = -time.Second }, "busyTimeout"},
		{"no readers", func(c *Config) { c.ReadConns = -1 }, "readConns"},
		{"too many readers", func(c *Config) { c.ReadConns = 1000 }, "readConns"},
		{"no cache", func(c *Config) { c.CacheMiB = -1 }, "cacheMiB"},
		{"no reader cache", func(c *Config) { c.ReaderCacheMiB = -1 }, "readerCacheMiB"},
		{"huge reader cache", func(c *Config) { c.ReaderCacheMiB = 1 << 20 }, "readerCacheMiB"},
	}
	for _, tc := range cases {
		c := valid()
		tc.change(&c)
		err := c.Validate()
		if assert.Error(t, err, tc.name) {
			assert.Contains(t, err.Error(), tc.want, tc.name)
		}
	}
	c := valid()
	c.Path, c.ReadConns = "", 0
	err := c.Validate()
	assert.ErrorContains(t, err, "path")
	assert.ErrorContains(t, err, "readConns", "every bad field is reported")
}
