//go:build integration

package e2e_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
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

// TestAuditExportVerifiesOnChain runs a member on a chain served over
// JSON-RPC, confirms broadcasts, exports its log through the API (signed),
// and verifies the file offline and against the chain; a copy with a byte
// changed fails. verify --against the member itself agrees.
func TestAuditExportVerifiesOnChain(t *testing.T) {
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "org1", "signing.key")
	key, err := network.LoadOrCreateSigningKey(keyFile)
	require.NoError(t, err)
	ports := freePorts(t, 3)
	chain := startProc(t, "ledgermirror chain", "chain", "--rpc-port", strconv.Itoa(ports[0]),
		"--data-dir", filepath.Join(dir, "chain"), "--fund", crypto.PubkeyToAddress(key.PublicKey).Hex())
	line, _ := chain.waitLine(t, 0, "batchpin=", 30*time.Second)
	_, contract, ok := strings.Cut(line, "batchpin=")
	require.True(t, ok)
	contract = strings.Fields(contract)[0]
	file := filepath.Join(dir, "org1.yaml")
	cfg := fmt.Sprintf(serveConfig, "org1", filepath.Join(dir, "org1"), ports[1], ports[2], ports[0], keyFile, contract)
	require.NoError(t, os.WriteFile(file, []byte(cfg), 0o600))
	server := startProc(t, "ledgermirror serve org1", "serve", "--config", file)
	client, _ := memberClient(t, server, 0, "org1", 30*time.Second)

	var ids []string
	eventually(t, 60*time.Second, "org1 accepts broadcasts", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		v, err := client.Broadcast(ctx, []string{"audit"}, map[string]any{"n": len(ids)})
		if err != nil {
			return err
		}
		ids = append(ids, v.Header.ID)
		if len(ids) < 10 {
			return fmt.Errorf("%d sent", len(ids))
		}
		return nil
	})
	awaitConfirmed(t, 60*time.Second, []*apiClient{client}, ids)

	api := fmt.Sprintf("http://127.0.0.1:%d", ports[1])
	export := filepath.Join(dir, "audit.ndjson")
	out, err := exec.Command(binary(t), "export", "--api", api, "--sign", "--namespace", "default", "--out", export).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "signed by 0x")

	rpc := fmt.Sprintf("http://127.0.0.1:%d", ports[0])
	out, err = exec.Command(binary(t), "verify", export, "--rpc", rpc, "--require-signature").CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "every one found on chain")
	assert.Contains(t, string(out), "manifest signed by "+strings.ToLower(crypto.PubkeyToAddress(key.PublicKey).Hex()))

	raw, err := os.ReadFile(export)
	require.NoError(t, err)
	raw[len(raw)/2] ^= 0x01
	tampered := filepath.Join(dir, "tampered.ndjson")
	require.NoError(t, os.WriteFile(tampered, raw, 0o600))
	out, err = exec.Command(binary(t), "verify", tampered).CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, string(out))
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "verification failed: line ")

	out, err = exec.Command(binary(t), "verify", "--api", api, "--against", api).CombinedOutput()
	require.NoError(t, err, string(out))
	assert.Contains(t, string(out), "agree")

	assert.Equal(t, 0, server.interrupt(t, 30*time.Second))
	assert.Equal(t, 0, chain.interrupt(t, 30*time.Second))
}
