//go:build integration

package e2e_test

import (
	"context"
	"errors"
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

// smallDisk mounts a tmpfs of size at a new directory (the test runs as
// root here and in CI) and returns it; remount changes its options (its
// size).
func smallDisk(t *testing.T, size string) (dir string, remount func(opts string)) {
	t.Helper()
	dir = filepath.Join(t.TempDir(), "disk")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("cannot mount a small disk (tmpfs, needs root): %v: %s", err, out)
		if os.Getenv("LM_REQUIRE_SERVICES") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir, func(opts string) {
		out, err := exec.Command("mount", "-o", "remount,"+opts, dir).CombinedOutput()
		require.NoError(t, err, string(out))
	}
}

// TestAFullDiskPausesWritesAndLosesNothing runs a member whose data
// directory is on a small disk (the chain elsewhere) and sends large
// broadcasts until the disk is full: sends are then refused with 503
// LM10507, the node keeps running, and once the disk grows it accepts
// sends again, and confirms every message it acknowledged. (A read-only
// disk is the same class of error, event.ErrStorageUnavailable, tested in
// adapters/internal/sqliteerr: a tmpfs cannot turn read-only under open
// files.)
func TestAFullDiskPausesWritesAndLosesNothing(t *testing.T) {
	disk, remount := smallDisk(t, "24m")
	dir := t.TempDir()
	keyFile := filepath.Join(dir, "signing.key")
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
	cfg := fmt.Sprintf(serveConfig, "org1", filepath.Join(disk, "org1"), ports[1], ports[2], ports[0], keyFile, contract) +
		"search:\n  driver: none\n"
	require.NoError(t, os.WriteFile(file, []byte(cfg), 0o600))
	server := startProc(t, "ledgermirror serve org1", "serve", "--config", file)
	client, _ := memberClient(t, server, 0, "org1", 30*time.Second)
	eventually(t, 60*time.Second, "org1 registered", func() error {
		st, err := instanceStatus(client)
		if err != nil {
			return err
		}
		if len(st.Namespaces) != 1 || !st.Namespaces[0].Registered {
			return fmt.Errorf("not registered")
		}
		return nil
	})

	big := strings.Repeat("x", 48<<10)
	var acked []string
	send := func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		v, err := client.Broadcast(ctx, []string{"full"}, map[string]any{"n": len(acked), "pad": big})
		if err == nil {
			acked = append(acked, v.Header.ID)
		}
		return err
	}
	var refusal error
	for i := 0; i < 2000 && refusal == nil; i++ {
		if err := send(); err != nil {
			refusal = err
		}
	}
	require.Error(t, refusal, "the disk never filled")
	var apiErr *apiError
	require.True(t, errors.As(refusal, &apiErr), "%v", refusal)
	assert.Equal(t, 503, apiErr.Status, refusal.Error())
	assert.Equal(t, "LM10507", apiErr.Code, refusal.Error())
	t.Logf("the disk filled after %d acknowledged broadcasts: %v", len(acked), refusal)

	// The node stays up while the disk is full.
	time.Sleep(2 * time.Second)
	select {
	case <-server.done:
		t.Fatalf("the node stopped on a full disk: %v", server.exitState())
	default:
	}
	_, err = instanceStatus(client)
	require.NoError(t, err, "the node still answers")

	remount("size=256m")
	eventually(t, 60*time.Second, "sends are accepted again", func() error { return send() })
	for range 5 {
		require.NoError(t, send())
	}
	awaitConfirmed(t, 120*time.Second, []*apiClient{client}, acked)
	assertNoParkedPins(t, []*apiClient{client})
	assert.Equal(t, 0, server.interrupt(t, 30*time.Second))
	assert.Equal(t, 0, chain.interrupt(t, 30*time.Second))
}
