package chain_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/embedded"
	domainchain "github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/test/contract/chain"
)

// TestEmbeddedChain runs the suite on the node's embedded chain, which seals
// blocks by itself as transactions arrive.
func TestEmbeddedChain(t *testing.T) {
	chain.Run(t, chain.Harness{New: func(t *testing.T) chain.Env {
		key, err := crypto.GenerateKey()
		require.NoError(t, err)
		from := crypto.PubkeyToAddress(key.PublicKey)
		c, err := embedded.Start(embedded.Config{Funded: []common.Address{from}, BlockInterval: time.Hour}, zerolog.Nop())
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, c.Close()) })
		client := c.Client()
		return chain.Env{
			Reader: ethereum.NewReader(client, embedded.ChainID, c.Address(), zerolog.Nop()),
			NewSubmitter: func(t *testing.T) domainchain.Submitter {
				s, err := ethereum.NewSubmitter(client, embedded.ChainID, c.Address(), key)
				require.NoError(t, err)
				return s
			},
			Mine: func(t *testing.T) {
				// Sends seal on their own; wait for that, then add a block.
				deadline := time.Now().Add(10 * time.Second)
				for {
					n, err := client.PendingTransactionCount(context.Background())
					require.NoError(t, err)
					if n == 0 {
						break
					}
					require.True(t, time.Now().Before(deadline), "transactions never sealed")
					time.Sleep(time.Millisecond)
				}
				c.Seal()
			},
		}
	}})
}

// TestEmbeddedChainOverRPC runs the suite on the embedded chain kept in a
// data directory and reached over JSON-RPC (HTTP), as other processes reach
// it; restarting it keeps the chain, so NodeDownThenUp runs too.
func TestEmbeddedChainOverRPC(t *testing.T) {
	chain.Run(t, chain.Harness{New: func(t *testing.T) chain.Env {
		key, err := crypto.GenerateKey()
		require.NoError(t, err)
		from := crypto.PubkeyToAddress(key.PublicKey)
		dir := t.TempDir()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		port := ln.Addr().(*net.TCPAddr).Port
		require.NoError(t, ln.Close())
		cfg := embedded.Config{DataDir: dir, RPCPort: port, Funded: []common.Address{from}, BlockInterval: time.Hour}
		c, err := embedded.Start(cfg, zerolog.Nop())
		require.NoError(t, err)
		t.Cleanup(func() { require.NoError(t, c.Close()) })
		client, err := ethclient.Dial(fmt.Sprintf("http://127.0.0.1:%d", port))
		require.NoError(t, err)
		t.Cleanup(client.Close)
		address := c.Address()
		return chain.Env{
			Reader: ethereum.NewReader(client, embedded.ChainID, address, zerolog.Nop()),
			NewSubmitter: func(t *testing.T) domainchain.Submitter {
				s, err := ethereum.NewSubmitter(client, embedded.ChainID, address, key)
				require.NoError(t, err)
				return s
			},
			Mine: func(t *testing.T) {
				deadline := time.Now().Add(10 * time.Second)
				for {
					n, err := client.PendingTransactionCount(context.Background())
					require.NoError(t, err)
					if n == 0 {
						break
					}
					require.True(t, time.Now().Before(deadline), "transactions never sealed")
					time.Sleep(time.Millisecond)
				}
				c.Seal()
			},
			Restart: func(t *testing.T) {
				require.NoError(t, c.Close())
				c, err = embedded.Start(cfg, zerolog.Nop())
				require.NoError(t, err)
				require.Equal(t, address, c.Address(), "the restarted chain is the same chain")
			},
		}
	}})
}
