package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A well-known test key (go-ethereum's docs use it); never a real account.
const testKey = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"

func TestContractsDeployRejectsBadUsage(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(keyFile, []byte("0x"+testKey+"\n"), 0o600))
	badKeyFile := filepath.Join(dir, "bad")
	secret := strings.Repeat("zz", 32)
	require.NoError(t, os.WriteFile(badKeyFile, []byte(secret), 0o600))
	shortKey := testKey[:60]
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"no rpc":          {[]string{"--key", testKey}, "--rpc is required"},
		"rpc not a URL":   {[]string{"--rpc", "::nope", "--key", testKey}, "not a URL"},
		"rpc scheme":      {[]string{"--rpc", "ftp://127.0.0.1:8545", "--key", testKey}, "scheme must be http"},
		"rpc bare path":   {[]string{"--rpc", "/tmp/geth.ipc", "--key", testKey}, "scheme must be http"},
		"rpc no host":     {[]string{"--rpc", "http://", "--key", testKey}, "no host"},
		"no key":          {[]string{"--rpc", "http://127.0.0.1:8545"}, "a deployer key is required"},
		"both keys":       {[]string{"--rpc", "http://127.0.0.1:8545", "--key", testKey, "--key-file", keyFile}, "mutually exclusive"},
		"short key":       {[]string{"--rpc", "http://127.0.0.1:8545", "--key", shortKey}, "64 hex digits"},
		"not hex":         {[]string{"--rpc", "http://127.0.0.1:8545", "--key-file", badKeyFile}, "not a valid secp256k1 private key"},
		"zero key":        {[]string{"--rpc", "http://127.0.0.1:8545", "--key", strings.Repeat("0", 64)}, "not a valid secp256k1 private key"},
		"missing file":    {[]string{"--rpc", "http://127.0.0.1:8545", "--key-file", filepath.Join(dir, "none")}, "--key-file"},
		"zero timeout":    {[]string{"--rpc", "http://127.0.0.1:8545", "--key", testKey, "--timeout", "0s"}, "--timeout must be positive"},
		"extra argument":  {[]string{"--rpc", "http://127.0.0.1:8545", "--key", testKey, "now"}, "takes no arguments"},
		"bad chain id":    {[]string{"--rpc", "http://127.0.0.1:8545", "--key", testKey, "--chain-id", "-1"}, "chain-id"},
		"password hidden": {[]string{"--rpc", "ftp://user:hunter2@host", "--key", testKey}, "xxxxx"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, append([]string{"contracts", "deploy"}, tc.args...)...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, tc.want)
			for _, s := range []string{testKey, shortKey, secret, "hunter2"} {
				assert.NotContains(t, errOut, s, "a secret is echoed")
			}
		})
	}
}

func TestContractsDeploySaysPlainlyWhenTheNodeIsDown(t *testing.T) {
	addr := freeLoopbackAddr(t)
	for _, scheme := range []string{"http", "ws"} {
		t.Run(scheme, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, "contracts", "deploy", "--rpc", scheme+"://"+addr, "--key", testKey, "--timeout", "5s")
			assert.Equal(t, exitFailure, code, errOut)
			assert.Empty(t, out)
			assert.Contains(t, errOut, "cannot reach the JSON-RPC endpoint "+scheme+"://"+addr+" (is the node running?)")
			assert.NotContains(t, errOut, testKey)
		})
	}
}

// The real thing: go-ethereum's simulated chain behind its own JSON-RPC
// server on a loopback port (HTTP and WebSocket on one port), with a block
// sealed every few milliseconds as a dev node would.
func TestContractsDeployOverJSONRPC(t *testing.T) {
	key, err := crypto.HexToECDSA(testKey)
	require.NoError(t, err)
	deployer := crypto.PubkeyToAddress(key.PublicKey)
	addr := freeLoopbackAddr(t)
	host, portText, err := net.SplitHostPort(addr)
	require.NoError(t, err)
	var port int
	_, err = fmt.Sscan(portText, &port)
	require.NoError(t, err)

	sim := simulated.NewBackend(types.GenesisAlloc{deployer: {Balance: new(big.Int).Lsh(big.NewInt(1), 100)}},
		func(n *node.Config, _ *ethconfig.Config) {
			n.HTTPHost, n.HTTPPort, n.HTTPModules = host, port, []string{"eth", "net", "web3"}
			n.WSHost, n.WSPort, n.WSModules = host, port, []string{"eth", "net", "web3"}
		})
	t.Cleanup(func() { _ = sim.Close() })
	sealBlocks(t, sim)

	for _, scheme := range []string{"http", "ws"} {
		t.Run(scheme, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, "contracts", "deploy", "--rpc", scheme+"://"+addr, "--key", testKey, "--chain-id", "1337", "--json")
			require.Equal(t, exitOK, code, errOut)
			assert.NotContains(t, errOut, testKey)
			var res deployResult
			require.NoError(t, json.Unmarshal([]byte(out), &res), out)
			assert.Equal(t, "BatchPin", res.Contract)
			assert.Equal(t, deployer.Hex(), res.Deployer)
			assert.Equal(t, "1337", res.ChainID)
			assert.Positive(t, res.Block)

			ctx := context.Background()
			receipt, err := sim.Client().TransactionReceipt(ctx, common.HexToHash(res.TxHash))
			require.NoError(t, err)
			assert.Equal(t, common.HexToAddress(res.Address), receipt.ContractAddress)
			assert.Equal(t, res.Block, receipt.BlockNumber.Uint64())
			code2, err := sim.Client().CodeAt(ctx, receipt.ContractAddress, nil)
			require.NoError(t, err)
			assert.NotEmpty(t, code2)
		})
	}

	t.Run("text output", func(t *testing.T) {
		keyFile := filepath.Join(t.TempDir(), "key")
		require.NoError(t, os.WriteFile(keyFile, []byte(testKey), 0o600))
		code, out, errOut := runCLI(t, nil, "contracts", "deploy", "--rpc", "http://"+addr, "--key-file", keyFile)
		require.Equal(t, exitOK, code, errOut)
		assert.Regexp(t, `^BatchPin deployed at 0x[0-9a-fA-F]{40} \(transaction 0x[0-9a-f]{64}, block \d+, chain 1337\)\n$`, out)
	})

	t.Run("wrong chain", func(t *testing.T) {
		code, _, errOut := runCLI(t, nil, "contracts", "deploy", "--rpc", "http://"+addr, "--key", testKey, "--chain-id", "1")
		assert.Equal(t, exitUsage, code, errOut)
		assert.Contains(t, errOut, "is on chain 1337, not --chain-id 1")
	})

	t.Run("no funds", func(t *testing.T) {
		poor, err := crypto.GenerateKey()
		require.NoError(t, err)
		code, _, errOut := runCLI(t, nil, "contracts", "deploy", "--rpc", "http://"+addr, "--key", hex.EncodeToString(crypto.FromECDSA(poor)))
		assert.Equal(t, exitFailure, code, errOut)
		assert.Contains(t, errOut, "sending the deployment from "+crypto.PubkeyToAddress(poor.PublicKey).Hex())
	})
}

// freeLoopbackAddr returns a loopback address nobody listens on (it was free
// a moment ago).
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

// sealBlocks commits a block every 10 ms until the test ends, so sent
// transactions get mined without the test driving the chain.
func sealBlocks(t *testing.T, sim *simulated.Backend) {
	t.Helper()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sim.Commit()
			}
		}
	})
	t.Cleanup(func() { close(done); wg.Wait() })
}
