package config

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMemberDefaultsDeriveFromTheDataDirAndListenAddress(t *testing.T) {
	cfg, _, err := Load(Source{File: writeFile(t, "node:\n  dataDir: /srv/m\ndataExchange:\n  listen: 127.0.0.1:7100\n")})
	require.NoError(t, err)
	assert.Equal(t, []NamespaceConfig{{Name: "default"}}, cfg.Namespaces)
	assert.Equal(t, filepath.Join("/srv/m", "signing.key"), cfg.Chain.KeyFile)
	assert.Equal(t, filepath.Join("/srv/m", "transport.key"), cfg.DataExchange.KeyFile)
	assert.Equal(t, "http://127.0.0.1:7100", cfg.DataExchange.PublicURL)
	assert.Equal(t, uint64(0), cfg.Chain.ConfirmationsOrDefault(), "the embedded chain needs no confirmations")
	assert.Equal(t, uint64(64), cfg.Chain.ReorgWindowOrDefault(), "the embedded chain keeps a short history")
}

func TestEthereumDefaultsToTwelveConfirmations(t *testing.T) {
	cfg, _, err := Load(Source{File: writeFile(t, "chain:\n  driver: ethereum\n  rpc: ws://127.0.0.1:8545\n  chainId: 1337\n")})
	require.NoError(t, err)
	assert.Equal(t, uint64(12), cfg.Chain.ConfirmationsOrDefault())

	cfg, _, err = Load(Source{File: writeFile(t, "chain:\n  driver: ethereum\n  rpc: ws://127.0.0.1:8545\n  chainId: 1337\n  confirmations: 0\n")})
	require.NoError(t, err)
	assert.Equal(t, uint64(0), cfg.Chain.ConfirmationsOrDefault(), "0 is a choice, not the default")
	assert.Equal(t, uint64(1000), cfg.Chain.ReorgWindowOrDefault())

	cfg, _, err = Load(Source{File: writeFile(t, "chain:\n  driver: ethereum\n  rpc: ws://127.0.0.1:8545\n  chainId: 1337\n  reorgWindow: 5\n")})
	require.NoError(t, err)
	assert.Equal(t, uint64(5), cfg.Chain.ReorgWindowOrDefault())
}

func TestMemberSettingsAreValidated(t *testing.T) {
	for name, body := range map[string]string{
		"ethereum without rpc":  "chain:\n  driver: ethereum\n  chainId: 1\n",
		"ethereum without id":   "chain:\n  driver: ethereum\n  rpc: http://127.0.0.1:8545\n",
		"rpc not a url":         "chain:\n  driver: ethereum\n  rpc: ftp://x\n  chainId: 1\n",
		"unknown driver":        "chain:\n  driver: fabric\n",
		"bad confirmations":     "chain:\n  confirmations: -2\n",
		"duplicate namespace":   "namespaces:\n  - name: a\n  - name: a\n",
		"bad namespace":         "namespaces:\n  - name: 'a b'\n",
		"bad contract":          "namespaces:\n  - name: a\n    contract: 0x12\n",
		"bad listen":            "dataExchange:\n  listen: nowhere\n",
		"bad public url":        "dataExchange:\n  publicUrl: ftp://x\n",
		"batch size":            "messaging:\n  batchSize: 0\n",
		"api body limit":        "api:\n  maxBodyBytes: -1\n",
		"unknown messaging key": "messaging:\n  batchsize: 5\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := Load(Source{File: writeFile(t, body)})
			assert.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}
