package embedded

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A chain that stopped before BatchPin's deployment was mined (only its
// genesis on disk) gets BatchPin on the next start, at the address it would
// have had.
func TestDataDirChainDeploysWhatACrashLost(t *testing.T) {
	dir := t.TempDir()
	faucet, err := loadFaucet(dir)
	require.NoError(t, err)
	b, err := startBackend(dir, 0, crypto.PubkeyToAddress(faucet.PublicKey))
	require.NoError(t, err)
	require.NoError(t, b.close())

	c, err := Start(Config{DataDir: dir}, zerolog.Nop())
	require.NoError(t, err)
	defer func() { require.NoError(t, c.Close()) }()
	assert.Equal(t, crypto.CreateAddress(crypto.PubkeyToAddress(faucet.PublicKey), 0), c.Address())
	code, err := c.Client().CodeAt(context.Background(), c.Address(), nil)
	require.NoError(t, err)
	assert.NotEmpty(t, code)
}

// A chain whose faucet key is gone cannot fund anyone: Start says so.
func TestDataDirWithoutFaucetKeyIsAnError(t *testing.T) {
	dir := t.TempDir()
	c, err := Start(Config{DataDir: dir}, zerolog.Nop())
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, os.Remove(filepath.Join(dir, faucetFile)))
	_, err = Start(Config{DataDir: dir}, zerolog.Nop())
	assert.ErrorContains(t, err, "faucet.key")
}
