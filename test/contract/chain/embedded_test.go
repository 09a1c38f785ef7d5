package chain_test

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
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
