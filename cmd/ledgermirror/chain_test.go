package main

import (
	"bytes"
	"context"
	"net"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// lockedBuffer is a bytes.Buffer safe to read while the command writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// chainCommand runs `ledgermirror chain` with args on a free port until the
// test ends or stop is called, and returns the port and BatchPin's address
// once it is ready.
func chainCommand(t *testing.T, args ...string) (port string, address common.Address, stop func()) {
	t.Helper()
	_, port, err := net.SplitHostPort(freeLoopbackAddr(t))
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{"chain", "--rpc-port", port}, args...), &out, &errOut, nil) }()
	stopped := false
	stop = func() {
		if stopped {
			return
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			assert.Equal(t, exitOK, code, errOut.String())
		case <-time.After(10 * time.Second):
			t.Fatal("chain did not stop")
		}
	}
	t.Cleanup(stop)

	line := regexp.MustCompile(`^chain ethereum:1337 rpc=http://127\.0\.0\.1:` + port + ` ws=ws://127\.0\.0\.1:` + port + ` batchpin=(0x[0-9a-f]{40})\n$`)
	deadline := time.Now().Add(20 * time.Second)
	for !line.MatchString(out.String()) {
		require.True(t, time.Now().Before(deadline), "no ready line; stdout %q stderr %q", out.String(), errOut.String())
		time.Sleep(10 * time.Millisecond)
	}
	return port, common.HexToAddress(line.FindStringSubmatch(out.String())[1]), stop
}

func TestChainServesJSONRPCUntilInterrupted(t *testing.T) {
	portText, address, stop := chainCommand(t)
	ctx := context.Background()
	for _, scheme := range []string{"http", "ws"} {
		client, err := ethclient.Dial(scheme + "://127.0.0.1:" + portText)
		require.NoError(t, err)
		id, err := client.ChainID(ctx)
		require.NoError(t, err)
		assert.Equal(t, int64(1337), id.Int64())
		code, err := client.CodeAt(ctx, address, nil)
		require.NoError(t, err)
		assert.NotEmpty(t, code, "BatchPin is deployed")
		client.Close()
	}

	// A second chain on the same port fails plainly, without a panic.
	code, _, stderr := runCLI(t, nil, "chain", "--rpc-port", portText)
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr, "starting the embedded chain (RPC port "+portText+")")
	stop()
}

func TestChainKeepsItsDataDir(t *testing.T) {
	dir := t.TempDir()
	funded := "0x71562b71999873db5b286df957af199ec94617f7"
	port, address, stop := chainCommand(t, "--data-dir", dir, "--fund", funded)
	client, err := ethclient.Dial("http://127.0.0.1:" + port)
	require.NoError(t, err)
	head, err := client.HeaderByNumber(context.Background(), nil)
	require.NoError(t, err)
	client.Close()
	stop()

	port, again, _ := chainCommand(t, "--data-dir", dir)
	assert.Equal(t, address, again)
	client, err = ethclient.Dial("http://127.0.0.1:" + port)
	require.NoError(t, err)
	defer client.Close()
	same, err := client.HeaderByNumber(context.Background(), head.Number)
	require.NoError(t, err)
	assert.Equal(t, head.Hash(), same.Hash())
	balance, err := client.BalanceAt(context.Background(), common.HexToAddress(funded), nil)
	require.NoError(t, err)
	assert.Positive(t, balance.Sign())
}

func TestChainRejectsBadUsage(t *testing.T) {
	for name, args := range map[string][]string{
		"port zero":      {"chain", "--rpc-port", "0"},
		"port too big":   {"chain", "--rpc-port", strconv.Itoa(70000)},
		"bad address":    {"chain", "--rpc-port", "18545", "--fund", "0x12"},
		"no prefix":      {"chain", "--rpc-port", "18545", "--fund", "71562b71999873db5b286df957af199ec94617f7"},
		"tiny interval":  {"chain", "--rpc-port", "18545", "--block-interval", "1ms"},
		"extra argument": {"chain", "extra"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, args...)
			assert.Equal(t, exitUsage, code, errOut)
		})
	}
}
