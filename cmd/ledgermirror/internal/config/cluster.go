package config

import (
	"fmt"
	"os"
	"time"
)

// ClusterConfig configures how several instances of one member share
// their singleton work (leader election). It matters only with the event
// store on PostgreSQL: an embedded store has one instance, which holds
// every role.
type ClusterConfig struct {
	// Instance names this instance in logs and GET /status. Default
	// <hostname>-<pid>.
	Instance string `yaml:"instance"`
	// Lease bounds how long a role stays with an instance that stopped
	// answering before another takes it over (default 5s, 1s to 5m).
	Lease time.Duration `yaml:"lease"`
}

// SetDefaults fills unset fields.
func (c *ClusterConfig) SetDefaults() {
	if c.Lease == 0 {
		c.Lease = 5 * time.Second
	}
}

// derive names the instance after the host and process when unset.
func (c *ClusterConfig) derive() {
	if c.Instance == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "instance"
		}
		c.Instance = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
}

// Validate reports the first bad field.
func (c ClusterConfig) Validate() error {
	if c.Lease < time.Second || c.Lease > 5*time.Minute {
		return fmt.Errorf("cluster.lease %s: between 1s and 5m", c.Lease)
	}
	if c.Instance != "" && !nodeName.MatchString(c.Instance) {
		return fmt.Errorf("cluster.instance %q: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit", c.Instance)
	}
	return nil
}
