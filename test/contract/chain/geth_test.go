//go:build integration

package chain_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
	domainchain "github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/test/contract/chain"
	"github.com/ledgermirror/ledgermirror/test/gethnode"
)

// TestGethDev runs the suite against a real geth in dev mode, which mines a
// block per transaction, over WebSocket (new heads are pushed) and over HTTP
// (the follower polls). geth cannot fork on demand, so the reorg case runs on
// the simulated chain only.
func TestGethDev(t *testing.T) {
	t.Run("websocket", func(t *testing.T) { chain.Run(t, gethHarness(func(n *gethnode.Node) string { return n.WSURL })) })
	t.Run("http", func(t *testing.T) { chain.Run(t, gethHarness(func(n *gethnode.Node) string { return n.HTTPURL })) })
}

func gethHarness(url func(*gethnode.Node) string) chain.Harness {
	return chain.Harness{New: func(t *testing.T) chain.Env {
		node := gethnode.Start(t, gethnode.Options{})
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		client, err := ethclient.DialContext(ctx, url(node))
		require.NoError(t, err)
		t.Cleanup(client.Close)
		key, err := crypto.HexToECDSA(node.Key)
		require.NoError(t, err)
		id := new(big.Int).SetUint64(node.ChainID)
		_, tx, err := batchpin.SendDeployment(bind.NewKeyedTransactor(key, id), client)
		require.NoError(t, err)
		d, err := batchpin.WaitDeployed(ctx, client, tx, 20*time.Millisecond)
		require.NoError(t, err)
		from := crypto.PubkeyToAddress(key.PublicKey)
		return chain.Env{
			Reader: ethereum.NewReader(client, node.ChainID, d.Address, zerolog.Nop()),
			NewSubmitter: func(t *testing.T) domainchain.Submitter {
				s, err := ethereum.NewSubmitter(client, node.ChainID, d.Address, key)
				require.NoError(t, err)
				return s
			},
			Mine: func(t *testing.T) { mineEmptyBlock(t, client, key, id, from) },
			Restart: func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
				defer cancel()
				require.NoError(t, node.Restart(ctx))
			},
		}
	}}
}

// mineEmptyBlock waits for the dev key's pending transactions to be mined,
// then adds one block with a self-transfer (geth --dev mines a block per
// transaction and none without).
func mineEmptyBlock(t *testing.T, client *ethclient.Client, key *ecdsa.PrivateKey, id *big.Int, from common.Address) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	waitMined := func() uint64 {
		for {
			pending, err := client.PendingNonceAt(ctx, from)
			require.NoError(t, err)
			mined, err := client.NonceAt(ctx, from, nil)
			require.NoError(t, err)
			if pending == mined {
				return mined
			}
			select {
			case <-ctx.Done():
				t.Fatalf("transactions not mined: pending nonce %d, mined %d", pending, mined)
			case <-time.After(10 * time.Millisecond):
			}
		}
	}
	nonce := waitMined()
	head, err := client.HeaderByNumber(ctx, nil)
	require.NoError(t, err)
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(id), &types.DynamicFeeTx{ChainID: id, Nonce: nonce,
		GasTipCap: big.NewInt(1), GasFeeCap: new(big.Int).Add(big.NewInt(1), new(big.Int).Mul(head.BaseFee, big.NewInt(2))),
		Gas: 21000, To: &from})
	require.NoError(t, err)
	require.NoError(t, client.SendTransaction(ctx, tx))
	waitMined()
}
