package sqlite

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestConfigDefaults(t *testing.T) {
	c := Config{Path: "events.db"}
	c.SetDefaults()
	assert.Equal(t, Config{
		Path:         "events.db",
		Synchronous:  SynchronousNormal,
		BusyTimeout:  5 * time.Second,
		MaxBatch:     1000,
		PollInterval: time.Second,
		ReadPageSize: 1000,
		TailEvents:   2048,
		TailBytes:    8 << 20,
	}, c)
	assert.NoError(t, c.Validate())

	set := Config{Path: "x", Synchronous: SynchronousFull, BusyTimeout: time.Millisecond, MaxBatch: 7, PollInterval: time.Minute, ReadPageSize: 3,
		TailEvents: 9, TailBytes: 1 << 20}
	kept := set
	set.SetDefaults()
	assert.Equal(t, kept, set, "SetDefaults keeps what is set")
}

func TestConfigValidate(t *testing.T) {
	valid := func() Config {
		c := Config{Path: "events.db"}
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
		{"upper-case synchronous", func(c *Config) { c.Synchronous = "FULL" }, "synchronous"},
		{"negative busy timeout", func(c *Config) { c.BusyTimeout = -time.Second }, "busyTimeout"},
		{"max batch 0", func(c *Config) { c.MaxBatch = 0 }, "maxBatch"},
		{"max batch huge", func(c *Config) { c.MaxBatch = 1 << 30 }, "maxBatch"},
		{"poll interval too short", func(c *Config) { c.PollInterval = time.Millisecond }, "pollInterval"},
		{"read page 0", func(c *Config) { c.ReadPageSize = 0 }, "readPageSize"},
		{"tail events 0", func(c *Config) { c.TailEvents = 0 }, "tailEvents"},
		{"tail events huge", func(c *Config) { c.TailEvents = maxTailEvents + 1 }, "tailEvents"},
		{"tail bytes too small", func(c *Config) { c.TailBytes = 1000 }, "tailBytes"},
		{"tail bytes huge", func(c *Config) { c.TailBytes = maxTailBytes + 1 }, "tailBytes"},
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
	c.Path, c.MaxBatch = "", -1
	assert.ErrorContains(t, c.Validate(), "maxBatch", "every bad field is reported")
}
