//go:build integration

package gethnode_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/test/gethnode"
)

func TestNodeMinesTransferAndKeepsChainAcrossRestart(t *testing.T) {
	t.Parallel()
	node := gethnode.Start(t, gethnode.Options{})
	ctx := t.Context()

	assert.Equal(t, uint64(1337), node.ChainID)
	var chainID string
	require.NoError(t, node.Call(ctx, &chainID, "eth_chainId"))
	assert.Equal(t, "0x539", chainID)
	before := blockNumber(t, node)

	const to = "0x00000000000000000000000000000000000c0ffe"
	var txHash string
	require.NoError(t, node.Call(ctx, &txHash, "eth_sendTransaction", map[string]string{
		"from": node.Address, "to": to, "value": "0x3e8", // 1000 wei
	}))
	receipt := awaitReceipt(t, node, txHash)
	assert.Equal(t, "0x1", receipt.Status)
	mined := blockNumber(t, node)
	assert.Greater(t, mined, before, "a block is mined for the transaction")
	assert.Equal(t, "0x3e8", balance(t, node, to))

	require.NoError(t, node.Stop())
	require.Error(t, node.Call(ctx, nil, "eth_chainId"), "the node is down after Stop")

	began := time.Now()
	require.NoError(t, node.Restart(ctx))
	t.Logf("restarted in %s", time.Since(began).Round(time.Millisecond))
	assertWebSocket(t, node.WSURL)
	assert.GreaterOrEqual(t, blockNumber(t, node), mined, "the chain is kept across a restart")
	assert.Equal(t, receipt.BlockHash, awaitReceipt(t, node, txHash).BlockHash)
	assert.Equal(t, "0x3e8", balance(t, node, to))

	// The node still mines after the restart.
	require.NoError(t, node.Call(ctx, &txHash, "eth_sendTransaction", map[string]string{
		"from": node.Address, "to": to, "value": "0x1",
	}))
	assert.Equal(t, "0x1", awaitReceipt(t, node, txHash).Status)
	assert.Equal(t, "0x3e9", balance(t, node, to))
}

func TestNodesRunSideBySide(t *testing.T) {
	t.Parallel()
	a := gethnode.Start(t, gethnode.Options{BlockPeriod: time.Second})
	b := gethnode.Start(t, gethnode.Options{})
	assert.NotEqual(t, a.HTTPURL, b.HTTPURL)
	assert.NotEqual(t, a.WSURL, b.WSURL)

	// With a block period, blocks come without transactions.
	start := blockNumber(t, a)
	require.Eventually(t, func() bool {
		var n hexUint
		return a.Call(context.Background(), &n, "eth_blockNumber") == nil && uint64(n) > start
	}, 5*time.Second, 100*time.Millisecond)
}

type receipt struct {
	Status    string `json:"status"`
	BlockHash string `json:"blockHash"`
}

func awaitReceipt(t *testing.T, node *gethnode.Node, txHash string) receipt {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var r *receipt
		err := node.Call(t.Context(), &r, "eth_getTransactionReceipt", txHash)
		var rpcErr *gethnode.RPCError
		if !errors.As(err, &rpcErr) || rpcErr.Message != "transaction indexing is in progress" {
			require.NoError(t, err)
		}
		if r != nil {
			return *r
		}
		require.True(t, time.Now().Before(deadline), "transaction %s not mined within 10s", txHash)
		time.Sleep(20 * time.Millisecond)
	}
}

func blockNumber(t *testing.T, node *gethnode.Node) uint64 {
	t.Helper()
	var n hexUint
	require.NoError(t, node.Call(t.Context(), &n, "eth_blockNumber"))
	return uint64(n)
}

func balance(t *testing.T, node *gethnode.Node, addr string) string {
	t.Helper()
	var wei string
	require.NoError(t, node.Call(t.Context(), &wei, "eth_getBalance", addr, "latest"))
	return wei
}

// hexUint decodes a JSON-RPC quantity ("0x1a").
type hexUint uint64

func (h *hexUint) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	*h = hexUint(v)
	return err
}

// assertWebSocket checks that url accepts a WebSocket upgrade (status 101).
func assertWebSocket(t *testing.T, url string) {
	t.Helper()
	host := strings.TrimPrefix(url, "ws://")
	conn, err := net.DialTimeout("tcp", host, 5*time.Second)
	require.NoError(t, err)
	defer func() { _ = conn.Close() }()
	_, err = fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", host)
	require.NoError(t, err)
	require.NoError(t, conn.SetReadDeadline(time.Now().Add(5*time.Second)))
	status, err := bufio.NewReader(conn).ReadString('\n')
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(status, "HTTP/1.1 101"), "WebSocket upgrade answered %q", status)
}
