package ethereum_test

import (
	"context"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/domain/chain"
)

func simSubmitter(t *testing.T, s *simChain) *ethereum.Submitter {
	t.Helper()
	sub, err := ethereum.NewSubmitter(s.sim.Client(), s.chainID, s.address, s.key)
	require.NoError(t, err)
	return sub
}

// settledStatus asks for a mined transaction's status until the node has
// indexed its block: go-ethereum indexes a new block's transactions in the
// background, and until it has, TxStatus says pending (it cannot tell),
// never unknown or an error.
func settledStatus(t *testing.T, sub *ethereum.Submitter, hash string) chain.TxStatus {
	t.Helper()
	var status chain.TxStatus
	require.Eventually(t, func() bool {
		var err error
		status, err = sub.TxStatus(context.Background(), hash)
		require.NoError(t, err)
		require.NotEqual(t, chain.TxUnknown, status.State)
		return status.State != chain.TxPending
	}, 10*time.Second, 5*time.Millisecond)
	return status
}

func TestTxStatusFollowsATransaction(t *testing.T) {
	s := newSimChain(t)
	sub := simSubmitter(t, s)
	ctx := context.Background()

	sent, err := chain.Submit(ctx, sub, request(3))
	require.NoError(t, err)
	status, err := sub.TxStatus(ctx, sent.TxHash)
	require.NoError(t, err)
	assert.Equal(t, chain.TxStatus{State: chain.TxPending}, status)

	s.sim.Commit()
	head, err := s.sim.Client().HeaderByNumber(ctx, nil)
	require.NoError(t, err)
	assert.Equal(t, chain.TxStatus{State: chain.TxMined, BlockNumber: head.Number.Uint64()}, settledStatus(t, sub, sent.TxHash))

	status, err = sub.TxStatus(ctx, "0x"+strings.Repeat("ab", 32))
	require.NoError(t, err)
	assert.Equal(t, chain.TxStatus{State: chain.TxUnknown}, status)
}

// A transaction the node dropped from its pool is unknown: the caller sends
// it again.
func TestTxStatusOfADroppedTransactionIsUnknown(t *testing.T) {
	s := newSimChain(t)
	sub := simSubmitter(t, s)
	sent, err := chain.Submit(context.Background(), sub, request(1))
	require.NoError(t, err)
	s.sim.Rollback()
	// Right after the rollback the node may still be indexing and answer
	// "pending" (TxStatus cannot tell then); it must come to "unknown",
	// and never say mined.
	require.Eventually(t, func() bool {
		status, err := sub.TxStatus(context.Background(), sent.TxHash)
		require.NoError(t, err)
		require.NotEqual(t, chain.TxMined, status.State)
		return status.State == chain.TxUnknown
	}, 10*time.Second, 5*time.Millisecond)
}

func TestTxStatusOfAMinedFailure(t *testing.T) {
	s := newSimChain(t)
	sub := simSubmitter(t, s)
	ctx := context.Background()

	t.Run("out of gas", func(t *testing.T) {
		// A pin with gas for its calldata and nothing more: the pool takes
		// it, the block holds it, the execution runs out of gas.
		data := pinData(t, s)
		from := crypto.PubkeyToAddress(s.key.PublicKey)
		rules := params.AllDevChainProtocolChanges.Rules(big.NewInt(1), true, uint64(time.Now().Unix()))
		intrinsic, err := core.IntrinsicGas(data, nil, nil, from, &s.address, nil, rules)
		require.NoError(t, err)
		floor, err := core.FloorDataGas(rules, from, &s.address, nil, data, nil)
		require.NoError(t, err)
		hash := sendRaw(t, s, &s.address, max(intrinsic, floor)+100, data)
		s.sim.Commit()
		status := settledStatus(t, sub, hash)
		assert.Equal(t, chain.TxReverted, status.State)
		assert.NotZero(t, status.BlockNumber)
		assert.Contains(t, status.Reason, "out of gas")
	})
	t.Run("revert with a reason", func(t *testing.T) {
		deploy := sendRaw(t, s, nil, 200_000, revertingContract)
		s.sim.Commit()
		receipt, err := s.sim.Client().TransactionReceipt(ctx, common.HexToHash(deploy))
		require.NoError(t, err)
		require.Equal(t, types.ReceiptStatusSuccessful, receipt.Status)
		// A fixed gas limit: estimating would refuse a call that reverts.
		hash := sendRaw(t, s, &receipt.ContractAddress, 100_000, nil)
		s.sim.Commit()
		status := settledStatus(t, sub, hash)
		assert.Equal(t, chain.TxStatus{State: chain.TxReverted, BlockNumber: receipt.BlockNumber.Uint64() + 1, Reason: "nope"}, status)
	})
}

func TestTxStatusErrors(t *testing.T) {
	s := newSimChain(t)
	sub := simSubmitter(t, s)
	for _, bad := range []string{"", "0x12", strings.Repeat("ab", 33), "0x" + strings.Repeat("zz", 32)} {
		_, err := sub.TxStatus(context.Background(), bad)
		assert.Error(t, err, bad)
	}
	sendOnly, err := ethereum.NewSubmitter(struct{ ethereum.TxClient }{s.sim.Client()}, s.chainID, s.address, s.key)
	require.NoError(t, err)
	_, err = sendOnly.TxStatus(context.Background(), "0x"+strings.Repeat("ab", 32))
	assert.ErrorIs(t, err, ethereum.ErrNoReceipts)

	require.NoError(t, s.sim.Close())
	_, err = sub.TxStatus(context.Background(), "0x"+strings.Repeat("ab", 32))
	assert.Error(t, err, "a node that is down is an error, not an unknown transaction")
}

// The mapping of a reverted receipt, with a node that answers as told.
func TestTxStatusRevertReasons(t *testing.T) {
	key, err := crypto.GenerateKey()
	require.NoError(t, err)
	to := common.HexToAddress("0x5fbdb2315678afecb367f032d93f642f64180aa3")
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(big.NewInt(1337)), &types.DynamicFeeTx{
		ChainID: big.NewInt(1337), Gas: 50_000, To: &to, GasFeeCap: big.NewInt(1), GasTipCap: big.NewInt(1)})
	require.NoError(t, err)
	hash := strings.ToLower(tx.Hash().Hex())
	for name, tc := range map[string]struct {
		call   error
		reason string
		err    bool
	}{
		"reason":            {call: rpcError{"execution reverted: batch too large"}, reason: "batch too large"},
		"revert, no reason": {call: rpcError{"execution reverted"}, reason: "reverted (no reason given)"},
		"the replay passes": {reason: "reverted (no reason given)"},
		"node's own error":  {call: rpcError{"out of gas"}, reason: "out of gas"},
		"node unreachable":  {call: errors.New("dial tcp 127.0.0.1:8545: connection refused"), err: true},
	} {
		t.Run(name, func(t *testing.T) {
			client := &fakeTxClient{tx: tx, receipt: &types.Receipt{Status: types.ReceiptStatusFailed, BlockNumber: big.NewInt(7)},
				call: tc.call}
			sub, err := ethereum.NewSubmitter(client, 1337, to, key)
			require.NoError(t, err)
			status, err := sub.TxStatus(context.Background(), hash)
			if tc.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, chain.TxStatus{State: chain.TxReverted, BlockNumber: 7, Reason: tc.reason}, status)
			assert.Equal(t, big.NewInt(6), client.callAt, "replayed on the state before its block")
			assert.Equal(t, crypto.PubkeyToAddress(key.PublicKey), client.callMsg.From)
			assert.Equal(t, uint64(50_000), client.callMsg.Gas)
		})
	}
}

// rpcError is an error the node answered with.
type rpcError struct{ msg string }

func (e rpcError) Error() string  { return e.msg }
func (e rpcError) ErrorCode() int { return -32000 }

// fakeTxClient knows one mined transaction.
type fakeTxClient struct {
	ethereum.TxClient
	tx      *types.Transaction
	receipt *types.Receipt
	call    error
	callMsg goethereum.CallMsg
	callAt  *big.Int
}

func (f *fakeTxClient) TransactionReceipt(context.Context, common.Hash) (*types.Receipt, error) {
	return f.receipt, nil
}

func (f *fakeTxClient) TransactionByHash(context.Context, common.Hash) (*types.Transaction, bool, error) {
	return f.tx, false, nil
}

func (f *fakeTxClient) CallContract(_ context.Context, msg goethereum.CallMsg, at *big.Int) ([]byte, error) {
	f.callMsg, f.callAt = msg, at
	return nil, f.call
}

// pinData is the calldata of one pin.
func pinData(t *testing.T, s *simChain) []byte {
	t.Helper()
	var uuids, hash [32]byte
	uuids[0], hash[0] = 1, 2
	data, err := s.contract.TryPackPinBatch(uuids, hash, "local:x", [][32]byte{{3}})
	require.NoError(t, err)
	return data
}

// sendRaw sends a transaction from the chain's key with a fixed gas limit
// (no estimate) and returns its hash; to nil deploys data.
func sendRaw(t *testing.T, s *simChain, to *common.Address, gas uint64, data []byte) string {
	t.Helper()
	ctx := context.Background()
	client := s.sim.Client()
	from := crypto.PubkeyToAddress(s.key.PublicKey)
	nonce, err := client.PendingNonceAt(ctx, from)
	require.NoError(t, err)
	head, err := client.HeaderByNumber(ctx, nil)
	require.NoError(t, err)
	feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), big.NewInt(params.GWei))
	id := new(big.Int).SetUint64(s.chainID)
	tx, err := types.SignNewTx(s.key, types.LatestSignerForChainID(id), &types.DynamicFeeTx{ChainID: id, Nonce: nonce,
		GasTipCap: big.NewInt(params.GWei), GasFeeCap: feeCap, Gas: gas, To: to, Data: data})
	require.NoError(t, err)
	require.NoError(t, client.SendTransaction(ctx, tx))
	return strings.ToLower(tx.Hash().Hex())
}

// revertingContract deploys code that reverts every call with
// Error("nope"): it writes the ABI encoding of the error in memory (the
// selector 0x08c379a0, the string's offset 0x20, its length 4, "nope") and
// reverts with those 100 bytes.
var revertingContract = func() []byte {
	word := func(hexWord string) string { return "7f" + hexWord + strings.Repeat("0", 64-len(hexWord)) }
	runtime := word("08c379a0") + "600052" + // selector, then the offset's first 28 bytes
		word("00000020") + "602052" + // the offset's last 4 bytes, then the length's first 28
		word("00000004"+hex.EncodeToString([]byte("nope"))) + "604052" + // the length's last 4, the text
		"6064" + "6000" + "fd" // revert(0, 100)
	code, err := hex.DecodeString(runtime)
	if err != nil {
		panic(err)
	}
	n := byte(len(code))
	// codecopy(0, 12, n); return(0, n): the init code is 12 bytes long.
	initCode := []byte{0x60, n, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, n, 0x60, 0x00, 0xf3}
	return append(initCode, code...)
}()
