//go:build integration

package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
)

// serveConfig is a member's YAML configuration for `ledgermirror serve`
// against a chain on JSON-RPC (keys as `ledgermirror config keys` lists
// them).
const serveConfig = `log:
  level: warn
node:
  org: %[1]s
  name: node1
  dataDir: %[2]s
api:
  listen: 127.0.0.1:%[3]d
dataExchange:
  listen: 127.0.0.1:%[4]d
chain:
  driver: ethereum
  rpc: ws://127.0.0.1:%[5]d
  chainId: 1337
  keyFile: %[6]s
  confirmations: 0
namespaces:
  - name: default
    contract: "%[7]s"
`

// TestServeProcessesShareOneChain runs `ledgermirror chain` and three
// `ledgermirror serve` members on it, each its own process, sends
// broadcasts from each and a few private messages, and checks every member
// confirms them with equal digests; SIGINT then stops every process with
// exit code 0.
func TestServeProcessesShareOneChain(t *testing.T) {
	const (
		members    = 3
		perMember  = 20
		privateMsg = 5
	)
	dir := t.TempDir()
	keyFiles := make([]string, members)
	chainArgs := []string{"chain", "--rpc-port", "", "--data-dir", filepath.Join(dir, "chain")}
	for i := range members {
		keyFiles[i] = filepath.Join(dir, fmt.Sprintf("org%d", i+1), "signing.key")
		key, err := network.LoadOrCreateSigningKey(keyFiles[i])
		require.NoError(t, err)
		chainArgs = append(chainArgs, "--fund", crypto.PubkeyToAddress(key.PublicKey).Hex())
	}
	ports := freePorts(t, 1+2*members) // the chain's, then each member's API and data exchange
	rpcPort := ports[0]
	chainArgs[2] = strconv.Itoa(rpcPort)
	chain := startProc(t, "ledgermirror chain", chainArgs...)
	line, _ := chain.waitLine(t, 0, "batchpin=", 30*time.Second)
	_, contract, ok := strings.Cut(line, "batchpin=")
	require.True(t, ok)
	contract = strings.Fields(contract)[0]

	servers := make([]*proc, members)
	clients := make([]*apiClient, members)
	for i := range members {
		org := fmt.Sprintf("org%d", i+1)
		file := filepath.Join(dir, org+".yaml")
		cfg := fmt.Sprintf(serveConfig, org, filepath.Join(dir, org), ports[1+2*i], ports[2+2*i], rpcPort, keyFiles[i], contract)
		require.NoError(t, os.WriteFile(file, []byte(cfg), 0o600))
		servers[i] = startProc(t, "ledgermirror serve "+org, "serve", "--config", file)
		clients[i], _ = memberClient(t, servers[i], 0, org, 30*time.Second)
	}
	eventually(t, 90*time.Second, "every member knows every other", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for i, c := range clients {
			st, err := c.Status(ctx)
			if err != nil {
				return fmt.Errorf("org%d: %w", i+1, err)
			}
			if !st.Ready || len(st.Namespaces) != 1 || len(st.Namespaces[0].Members) != members {
				return fmt.Errorf("org%d: %+v", i+1, st)
			}
		}
		return nil
	})

	var jobs []sendJob
	for s := range members {
		for i := range perMember {
			jobs = append(jobs, sendJob{sender: s, topics: []string{fmt.Sprintf("s%d", i%3)}, value: map[string]any{"sender": s, "i": i}})
		}
	}
	for i := range privateMsg {
		jobs = append(jobs, sendJob{sender: 0, topics: []string{"private"}, to: []string{orgDID(1)}, value: map[string]any{"private": i}})
	}
	sent := sendAll(t, clients, jobs, 4)
	var broadcast, private []string
	for _, m := range sent {
		if m.job.to == nil {
			broadcast = append(broadcast, m.view.Header.ID)
		} else {
			private = append(private, m.view.Header.ID)
		}
	}
	awaitConfirmed(t, 90*time.Second, clients, broadcast)
	awaitConfirmed(t, 30*time.Second, clients[:2], private)
	awaitEqualBroadcastDigests(t, 10*time.Second, clients, uint64(len(broadcast)))
	ds, err := allDigests(context.Background(), clients)
	require.NoError(t, err)
	require.Len(t, ds[0].Groups, 1, "org1 is in one group")
	for g, d := range ds[0].Groups {
		assert.Equal(t, d, ds[1].Groups[g], "org2's digest of the group")
		assert.Equal(t, uint64(privateMsg), d.Count)
		assert.NotContains(t, ds[2].Groups, g, "org3 is not in the group")
	}
	assertNoParkedPins(t, clients)

	for i, s := range servers {
		assert.Equal(t, 0, s.interrupt(t, 30*time.Second), "org%d's serve exits 0 on SIGINT", i+1)
	}
	assert.Equal(t, 0, chain.interrupt(t, 30*time.Second), "chain exits 0 on SIGINT")
}
