//go:build integration

package gethnode_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/test/gethnode"
)

// Key is what the chain adapter will sign with: a transaction signed locally
// and sent raw must be accepted and mined.
func TestKeySignsFundedTransactions(t *testing.T) {
	t.Parallel()
	node := gethnode.Start(t, gethnode.Options{})
	ctx := t.Context()

	key, err := crypto.HexToECDSA(node.Key)
	require.NoError(t, err)
	from := crypto.PubkeyToAddress(key.PublicKey)
	require.True(t, strings.EqualFold(from.Hex(), node.Address), "Key belongs to Address")

	var nonce, gasPrice hexutil.Uint64
	require.NoError(t, node.Call(ctx, &nonce, "eth_getTransactionCount", node.Address, "pending"))
	require.NoError(t, node.Call(ctx, &gasPrice, "eth_gasPrice"))
	to := common.HexToAddress("0x000000000000000000000000000000000000beef")
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(new(big.Int).SetUint64(node.ChainID)), &types.DynamicFeeTx{
		ChainID:   new(big.Int).SetUint64(node.ChainID),
		Nonce:     uint64(nonce),
		GasTipCap: big.NewInt(1),
		GasFeeCap: new(big.Int).SetUint64(2*uint64(gasPrice) + 1),
		Gas:       21_000,
		To:        &to,
		Value:     big.NewInt(42),
	})
	require.NoError(t, err)
	raw, err := tx.MarshalBinary()
	require.NoError(t, err)

	var txHash common.Hash
	require.NoError(t, node.Call(ctx, &txHash, "eth_sendRawTransaction", hexutil.Encode(raw)))
	assert.Equal(t, tx.Hash(), txHash)
	assert.Equal(t, "0x1", awaitReceipt(t, node, txHash.Hex()).Status)
	assert.Equal(t, "0x2a", balance(t, node, to.Hex()))
}
