package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// NamespaceConfig is one namespace the node serves.
type NamespaceConfig struct {
	Name string `yaml:"name"`
	// Contract is the namespace's BatchPin address. Empty on the embedded
	// chain means the contract the chain deploys for the namespace.
	Contract string `yaml:"contract"`
	// StartBlock is where the chain listener starts with no checkpoint
	// (the contract's deployment block).
	StartBlock uint64 `yaml:"startBlock"`
}

// Chain drivers.
const (
	ChainEmbedded = "embedded"
	ChainEthereum = "ethereum"
)

// ChainConfig picks the chain and how the node signs and listens.
type ChainConfig struct {
	// Driver is "embedded" (an in-process chain for one node; dev networks
	// share one) or "ethereum" (a JSON-RPC node: geth, Besu, Quorum).
	Driver string `yaml:"driver"`
	// RPC is the JSON-RPC URL (http(s):// or ws(s)://) for driver ethereum.
	RPC string `yaml:"rpc"`
	// ChainID is the chain's id (driver ethereum).
	ChainID uint64 `yaml:"chainId"`
	// KeyFile holds the org's signing key (hex secp256k1); created on first
	// start when missing. Default <dataDir>/signing.key.
	KeyFile string `yaml:"keyFile"`
	// Confirmations a block needs before its pins count. -1 (the default)
	// means the driver's: 0 on the embedded chain, 12 otherwise.
	Confirmations int `yaml:"confirmations"`
	// PollInterval is how often the head is polled when the node cannot
	// push new heads (HTTP). Default 100 ms.
	PollInterval time.Duration `yaml:"pollInterval"`
	// ReorgWindow is how many blocks behind the head the aggregator keeps
	// what it needs to undo a reorg (its pins and their content); a deeper
	// reorg makes it replay the log from the start instead. Its memory
	// grows with the pins inside the window. 0 (the default) means the
	// driver's: 64 on the embedded chain, which one sealer only moves
	// forward, 1000 otherwise.
	ReorgWindow uint64 `yaml:"reorgWindow"`
}

// embeddedReorgWindow is the embedded chain's default ReorgWindow.
const embeddedReorgWindow = 64

// ReorgWindowOrDefault resolves 0 to the driver's default.
func (c ChainConfig) ReorgWindowOrDefault() uint64 {
	switch {
	case c.ReorgWindow > 0:
		return c.ReorgWindow
	case c.Driver == ChainEmbedded:
		return embeddedReorgWindow
	}
	return aggregator.DefaultReorgWindow
}

// DataExchangeConfig is how peers reach this node.
type DataExchangeConfig struct {
	// Listen is the data-exchange listen address. Default 127.0.0.1:5100.
	Listen string `yaml:"listen"`
	// PublicURL is the URL peers use, registered in the node definition.
	// Default http://<listen>.
	PublicURL string `yaml:"publicUrl"`
	// KeyFile holds the transport key (ed25519, PEM); created when missing.
	// Default <dataDir>/transport.key.
	KeyFile string `yaml:"keyFile"`
}

// SetDefaults fills unset fields.
func (c *ChainConfig) SetDefaults() {
	if c.Driver == "" {
		// A fresh section: every default at once (0 confirmations is a
		// valid choice, so -1 stands for "the driver's default").
		c.Driver = ChainEmbedded
		c.Confirmations = -1
	}
	if c.PollInterval == 0 {
		c.PollInterval = 100 * time.Millisecond
	}
}

// ConfirmationsOrDefault resolves -1 to the driver's default.
func (c ChainConfig) ConfirmationsOrDefault() uint64 {
	if c.Confirmations >= 0 {
		return uint64(c.Confirmations)
	}
	if c.Driver == ChainEmbedded {
		return 0
	}
	return 12
}

// Validate reports the first bad field.
func (c ChainConfig) Validate() error {
	switch c.Driver {
	case ChainEmbedded:
	case ChainEthereum:
		u, err := url.Parse(c.RPC)
		if err != nil || u.Host == "" || !strings.Contains("http https ws wss", u.Scheme) || u.Scheme == "" {
			return fmt.Errorf("chain.rpc %q: an http(s) or ws(s) URL is required for driver ethereum", c.RPC)
		}
		if c.ChainID == 0 {
			return errors.New("chain.chainId: required for driver ethereum")
		}
	default:
		return fmt.Errorf("chain.driver %q: supported drivers are %q and %q", c.Driver, ChainEmbedded, ChainEthereum)
	}
	if c.Confirmations < -1 {
		return fmt.Errorf("chain.confirmations %d: must be 0 or more (-1 for the default)", c.Confirmations)
	}
	if c.PollInterval < time.Millisecond {
		return fmt.Errorf("chain.pollInterval %s: at least 1ms", c.PollInterval)
	}
	return nil
}

// SetDefaults fills unset fields.
func (d *DataExchangeConfig) SetDefaults() {
	if d.Listen == "" {
		d.Listen = "127.0.0.1:5100"
	}
}

// Validate reports the first bad field.
func (d DataExchangeConfig) Validate() error {
	if _, _, err := net.SplitHostPort(d.Listen); err != nil {
		return fmt.Errorf("dataExchange.listen %q: %w", d.Listen, err)
	}
	if u, err := url.Parse(d.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("dataExchange.publicUrl %q: an http(s) URL is required", d.PublicURL)
	}
	return nil
}

// validateNamespaces checks names are valid and unique.
func validateNamespaces(list []NamespaceConfig) error {
	if len(list) == 0 {
		return errors.New("namespaces: at least one")
	}
	seen := map[string]bool{}
	for i, ns := range list {
		if err := protocol.ValidateNamespace(ns.Name); err != nil {
			return fmt.Errorf("namespaces[%d].name: %w", i, err)
		}
		if seen[ns.Name] {
			return fmt.Errorf("namespaces[%d].name: %q twice", i, ns.Name)
		}
		seen[ns.Name] = true
		if ns.Contract != "" && (len(ns.Contract) != 42 || !strings.HasPrefix(ns.Contract, "0x")) {
			return fmt.Errorf("namespaces[%d].contract %q: a 0x-prefixed 20-byte address", i, ns.Contract)
		}
	}
	return nil
}

// deriveMember fills the member settings that depend on others.
func (c *Config) deriveMember() {
	if len(c.Namespaces) == 0 {
		c.Namespaces = []NamespaceConfig{{Name: "default"}}
	}
	if c.Chain.KeyFile == "" {
		c.Chain.KeyFile = filepath.Join(c.Node.DataDir, "signing.key")
	}
	if c.DataExchange.KeyFile == "" {
		c.DataExchange.KeyFile = filepath.Join(c.Node.DataDir, "transport.key")
	}
	if c.DataExchange.PublicURL == "" {
		c.DataExchange.PublicURL = "http://" + c.DataExchange.Listen
	}
}
