package http

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestClientConfig(t *testing.T) {
	var c ClientConfig
	c.SetDefaults()
	assert.Equal(t, ClientConfig{
		BatchTimeout: 30 * time.Second, DialTimeout: 10 * time.Second, ResponseTimeout: time.Minute,
		BlobStallTimeout: time.Minute, MaxIdleConnsPerHost: 32, IdleConnTimeout: 90 * time.Second,
	}, c)
	assert.NoError(t, c.Validate())
	set := ClientConfig{BatchTimeout: 1, DialTimeout: 2, ResponseTimeout: 3, BlobStallTimeout: 4, MaxIdleConnsPerHost: 5, IdleConnTimeout: 6}
	kept := set
	set.SetDefaults()
	assert.Equal(t, kept, set, "SetDefaults keeps what is set")

	bad := c
	bad.BatchTimeout, bad.MaxIdleConnsPerHost, bad.BlobStallTimeout = -1, -1, -1
	err := bad.Validate()
	for _, key := range []string{"batchTimeout", "maxIdleConnsPerHost", "blobStallTimeout"} {
		assert.ErrorContains(t, err, key)
	}
}

func TestServerConfig(t *testing.T) {
	c := ServerConfig{Node: "did:lm:node/org/n"}
	c.SetDefaults()
	assert.Equal(t, ServerConfig{
		Node: "did:lm:node/org/n", MaxBatchBytes: 64 << 20, MaxBlobBytes: 1 << 30,
		MaxClockSkew: 5 * time.Minute, ReadHeaderTimeout: 10 * time.Second,
	}, c)
	assert.NoError(t, c.Validate())
	set := ServerConfig{Node: "x", MaxBatchBytes: 1, MaxBlobBytes: 2, MaxClockSkew: 3, ReadHeaderTimeout: 4}
	kept := set
	set.SetDefaults()
	assert.Equal(t, kept, set, "SetDefaults keeps what is set")

	cases := []struct {
		change func(*ServerConfig)
		want   string
	}{
		{func(c *ServerConfig) { c.Node = "" }, "node"},
		{func(c *ServerConfig) { c.Node = "did:lm:org/org" }, "node"},
		{func(c *ServerConfig) { c.MaxBatchBytes = -1 }, "maxBatchBytes"},
		{func(c *ServerConfig) { c.MaxBlobBytes = -1 }, "maxBlobBytes"},
		{func(c *ServerConfig) { c.MaxClockSkew = -1 }, "maxClockSkew"},
		{func(c *ServerConfig) { c.ReadHeaderTimeout = -1 }, "readHeaderTimeout"},
	}
	for _, tc := range cases {
		bad := c
		tc.change(&bad)
		assert.ErrorContains(t, bad.Validate(), tc.want)
	}
}
