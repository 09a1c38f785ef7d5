package embedded_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/embedded"
	"github.com/ledgermirror/ledgermirror/domain/chain"
)

// The test binary runs the chain as a child process when these are set.
const (
	childDir  = "LM_EMBEDDED_CHILD"
	childPort = "LM_EMBEDDED_CHILD_PORT"
	childFund = "LM_EMBEDDED_CHILD_FUND"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(childDir); dir != "" {
		os.Exit(runChild(dir))
	}
	os.Exit(m.Run())
}

// runChild runs a chain on dir until the process is killed, and says so on
// stdout once it serves.
func runChild(dir string) int {
	port, err := strconv.Atoi(os.Getenv(childPort))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	c, err := embedded.Start(embedded.Config{DataDir: dir, RPCPort: port, BlockInterval: 20 * time.Millisecond,
		Funded: []common.Address{common.HexToAddress(os.Getenv(childFund))}}, zerolog.Nop())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	fmt.Printf("ready %s\n", c.Address().Hex())
	select {} // until killed
}

// seen is a mined transaction as a client saw it.
type seen struct {
	tx     common.Hash
	number *big.Int
	block  common.Hash
}

// Every block a client saw (a pin's receipt, a head) is still there after
// the chain's process is killed with SIGKILL, with the same hash.
func TestDataDirChainSurvivesKill(t *testing.T) {
	dir := t.TempDir()
	key, from := newKey(t)
	port := freePort(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childDir+"="+dir, childPort+"="+port, childFund+"="+from.Hex())
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	killed := false
	t.Cleanup(func() {
		if !killed {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	ready := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- line
	}()
	var address common.Address
	select {
	case line := <-ready:
		fields := strings.Fields(line)
		require.Len(t, fields, 2, "child said %q; stderr %s", line, stderr.String())
		address = common.HexToAddress(fields[1])
	case <-time.After(20 * time.Second):
		t.Fatalf("the child chain did not start; stderr %s", stderr.String())
	}

	ctx := context.Background()
	client, err := ethclient.Dial("ws://127.0.0.1:" + port)
	require.NoError(t, err)
	defer client.Close()
	sub, err := ethereum.NewSubmitter(client, embedded.ChainID, address, key)
	require.NoError(t, err)
	var saw []seen
	record := func(r *types.Receipt) {
		saw = append(saw, seen{tx: r.TxHash, number: r.BlockNumber, block: r.BlockHash})
	}
	for range 10 {
		sent, err := chain.Submit(ctx, sub, pinRequest())
		require.NoError(t, err)
		record(waitMined(t, client, common.HexToHash(sent.TxHash)))
	}
	// A burst, and the kill as soon as the last receipt is seen: what was
	// written last is what a database that buffers would lose.
	var last common.Hash
	for range 5 {
		sent, err := chain.Submit(ctx, sub, pinRequest())
		require.NoError(t, err)
		last = common.HexToHash(sent.TxHash)
	}
	record(waitMined(t, client, last))
	head, err := client.HeaderByNumber(ctx, nil)
	require.NoError(t, err)
	require.NoError(t, cmd.Process.Kill())
	killed = true
	_ = cmd.Wait()
	t.Logf("killed at head %d after %d pins seen", head.Number, len(saw))

	c := start(t, embedded.Config{DataDir: dir})
	assert.Equal(t, address, c.Address())
	for _, s := range saw {
		r, err := c.Client().TransactionReceipt(ctx, s.tx)
		require.NoError(t, err, "receipt of %s", s.tx.Hex())
		assert.Equal(t, s.block, r.BlockHash)
		assert.Equal(t, s.number, r.BlockNumber)
		assert.Equal(t, s.block, header(t, c, s.number).Hash())
	}
	assert.Equal(t, head.Hash(), header(t, c, head.Number).Hash())
	next := pin(t, c.Client(), c.Address(), key)
	assert.Greater(t, next.BlockNumber.Uint64(), head.Number.Uint64())
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	_, port, err := net.SplitHostPort(l.Addr().String())
	require.NoError(t, err)
	require.NoError(t, l.Close())
	return port
}

// lockedBuffer is a bytes.Buffer safe to read while a process writes it.
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
