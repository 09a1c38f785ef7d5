package ethereum

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"sync"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// TxClient is what the submitter needs of a JSON-RPC client;
// *ethclient.Client and the simulated backend's client provide it.
type TxClient interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	EstimateGas(ctx context.Context, call goethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
}

// ReceiptClient is what Submitter.TxStatus needs of the client besides
// TxClient; *ethclient.Client and the simulated backend's client provide
// it. It is separate so that a client for sending only (a connection pool
// in the benchmarks, say) need not implement it.
type ReceiptClient interface {
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
	TransactionByHash(ctx context.Context, txHash common.Hash) (tx *types.Transaction, isPending bool, err error)
	CallContract(ctx context.Context, call goethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
}

// ErrNoReceipts is returned by TxStatus when the submitter's client is not a
// ReceiptClient.
var ErrNoReceipts = errors.New("the chain client cannot look transactions up")

// nonceRetries bounds how often a send is retried with a fresh nonce when
// another sender from the same key took the one this process expected.
const nonceRetries = 5

// Submitter sends BatchPin transactions from one key. It implements
// chain.Submitter and chain.Receipts.
type Submitter struct {
	client   TxClient
	key      *ecdsa.PrivateKey
	from     common.Address
	signer   protocol.SigningKey
	chainID  *big.Int
	name     string
	contract common.Address
	binding  *batchpin.BatchPin

	mu sync.Mutex
	// next is the nonce this process expects to use next; nil until asked
	// of the node (at start and after a clash), so a restart or another
	// process sending from the key never makes it reuse a nonce.
	next *uint64
}

// NewSubmitter signs with key for the contract at address on chain chainID.
func NewSubmitter(client TxClient, chainID uint64, address common.Address, key *ecdsa.PrivateKey) (*Submitter, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	signer, err := protocol.NewSigningKey(from)
	if err != nil {
		return nil, err
	}
	return &Submitter{client: client, key: key, from: from, signer: signer, chainID: new(big.Int).SetUint64(chainID),
		name: fmt.Sprintf("ethereum:%d", chainID), contract: address, binding: batchpin.NewBatchPin()}, nil
}

// Name is the chain's name in events, e.g. "ethereum:1337".
func (s *Submitter) Name() string { return s.name }

// Signer implements chain.Submitter.
func (s *Submitter) Signer() protocol.SigningKey { return s.signer }

// Submit implements chain.Submitter.
func (s *Submitter) Submit(ctx context.Context, req chain.PinRequest) (chain.Submission, error) {
	var uuids [32]byte
	copy(uuids[:16], req.TxID[:])
	copy(uuids[16:], req.BatchID[:])
	contexts := make([][32]byte, len(req.Contexts))
	for i, c := range req.Contexts {
		contexts[i] = c
	}
	data, err := s.binding.TryPackPinBatch(uuids, req.BatchHash, req.PayloadRef, contexts)
	if err != nil {
		return chain.Submission{}, fmt.Errorf("packing pinBatch: %w", err)
	}
	gas, err := s.client.EstimateGas(ctx, goethereum.CallMsg{From: s.from, To: &s.contract, Data: data})
	if err != nil {
		if reason, ok := revertReason(err); ok {
			return chain.Submission{}, &chain.RevertError{Reason: reason}
		}
		return chain.Submission{}, fmt.Errorf("estimating gas: %w", err)
	}
	tip, err := s.client.SuggestGasTipCap(ctx)
	if err != nil {
		return chain.Submission{}, fmt.Errorf("gas tip: %w", err)
	}
	head, err := s.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return chain.Submission{}, fmt.Errorf("chain head: %w", err)
	}
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(baseFee(head), big.NewInt(2)))
	// A margin over the estimate: the estimate is for the state now, and
	// pins are cheap.
	gas += gas / 5

	s.mu.Lock()
	defer s.mu.Unlock()
	for attempt := 0; ; attempt++ {
		nonce, err := s.nonce(ctx)
		if err != nil {
			return chain.Submission{}, err
		}
		tx, err := types.SignNewTx(s.key, types.LatestSignerForChainID(s.chainID), &types.DynamicFeeTx{
			ChainID: s.chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: &s.contract, Data: data})
		if err != nil {
			return chain.Submission{}, fmt.Errorf("signing: %w", err)
		}
		err = s.client.SendTransaction(ctx, tx)
		if err == nil {
			n := nonce + 1
			s.next = &n
			return chain.Submission{Chain: s.name, TxHash: strings.ToLower(tx.Hash().Hex()), Signer: s.signer, Nonce: nonce}, nil
		}
		// Whatever went wrong, the next send asks the node again.
		s.next = nil
		if !nonceClash(err) || attempt >= nonceRetries {
			return chain.Submission{}, fmt.Errorf("sending the pin transaction (nonce %d): %w", nonce, err)
		}
	}
}

// nonce returns the nonce to use, asking the node for the key's pending
// transaction count when this process does not know.
func (s *Submitter) nonce(ctx context.Context) (uint64, error) {
	if s.next != nil {
		return *s.next, nil
	}
	n, err := s.client.PendingNonceAt(ctx, s.from)
	if err != nil {
		return 0, fmt.Errorf("pending nonce of %s: %w", s.from.Hex(), err)
	}
	return n, nil
}

func baseFee(h *types.Header) *big.Int {
	if h.BaseFee == nil {
		return big.NewInt(0)
	}
	return h.BaseFee
}

// nonceClash recognises the errors a node gives when the nonce was taken by
// another transaction from the same key (this process or another).
func nonceClash(err error) bool {
	msg := strings.ToLower(err.Error())
	for _, s := range []string{"nonce too low", "already known", "replacement transaction underpriced", "known transaction"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// revertReason recognises an estimate that failed because the call reverts,
// and returns the reason the node gave.
func revertReason(err error) (string, bool) {
	reason, ok := revertDetail(err)
	if ok && reason == "" {
		reason = "no reason given"
	}
	return reason, ok
}

// revertDetail recognises a call that failed because it reverts, and
// returns what the node said after "execution reverted" (often nothing).
func revertDetail(err error) (string, bool) {
	msg := err.Error()
	const marker = "execution reverted"
	i := strings.Index(strings.ToLower(msg), marker)
	if i < 0 {
		return "", false
	}
	return strings.TrimSpace(strings.TrimPrefix(msg[i+len(marker):], ":")), true
}

// TxStatus implements chain.Receipts. It asks for the receipt first, then
// (when there is none) whether the node knows the transaction at all; for a
// reverted one, it replays the call on the state before its block to learn
// why. It needs a client that is a ReceiptClient, and returns ErrNoReceipts
// otherwise. A node still indexing its transactions after a restart
// answers with an error, which TxStatus returns.
func (s *Submitter) TxStatus(ctx context.Context, txHash string) (chain.TxStatus, error) {
	client, ok := s.client.(ReceiptClient)
	if !ok {
		return chain.TxStatus{}, ErrNoReceipts
	}
	if !isTxHash(txHash) {
		return chain.TxStatus{}, fmt.Errorf("transaction hash %q is not 0x and 64 hex digits", txHash)
	}
	hash := common.HexToHash(txHash)
	// Twice at most: a transaction mined between the receipt and the
	// transaction lookups has a receipt the second time.
	for range 2 {
		receipt, err := client.TransactionReceipt(ctx, hash)
		if err == nil {
			return mined(ctx, client, hash, receipt)
		}
		if !errors.Is(err, goethereum.NotFound) {
			return chain.TxStatus{}, fmt.Errorf("receipt of %s: %w", txHash, err)
		}
		_, pending, err := client.TransactionByHash(ctx, hash)
		switch {
		case errors.Is(err, goethereum.NotFound):
			return chain.TxStatus{State: chain.TxUnknown}, nil
		case err != nil:
			return chain.TxStatus{}, fmt.Errorf("transaction %s: %w", txHash, err)
		case pending:
			return chain.TxStatus{State: chain.TxPending}, nil
		}
	}
	// Mined, says the node, yet no receipt (its index lags): not lost.
	return chain.TxStatus{State: chain.TxPending}, nil
}

// mined maps a receipt to a status.
func mined(ctx context.Context, client ReceiptClient, hash common.Hash, r *types.Receipt) (chain.TxStatus, error) {
	status := chain.TxStatus{State: chain.TxMined, BlockNumber: r.BlockNumber.Uint64()}
	if r.Status == types.ReceiptStatusSuccessful {
		return status, nil
	}
	status.State = chain.TxReverted
	reason, err := replay(ctx, client, hash, status.BlockNumber)
	if err != nil {
		return chain.TxStatus{}, err
	}
	status.Reason = reason
	return status, nil
}

// noReason is the reason of a reverted transaction the chain says nothing
// about.
const noReason = "reverted (no reason given)"

// replay runs a reverted transaction again as a call, with its own gas
// limit, on the state of the block before the one it was mined in, and
// returns what the node says went wrong. The replay is not exact (earlier
// transactions of the same block are not applied), which does not matter
// for a contract without state such as BatchPin.
func replay(ctx context.Context, client ReceiptClient, hash common.Hash, block uint64) (string, error) {
	tx, _, err := client.TransactionByHash(ctx, hash)
	if err != nil {
		return "", fmt.Errorf("transaction %s: %w", hash.Hex(), err)
	}
	from, err := types.Sender(types.LatestSignerForChainID(tx.ChainId()), tx)
	if err != nil {
		return "", fmt.Errorf("sender of %s: %w", hash.Hex(), err)
	}
	var at *big.Int
	if block > 0 {
		at = new(big.Int).SetUint64(block - 1)
	}
	_, err = client.CallContract(ctx, goethereum.CallMsg{From: from, To: tx.To(), Gas: tx.Gas(), Value: tx.Value(),
		Data: tx.Data(), AccessList: tx.AccessList()}, at)
	if err == nil {
		return noReason, nil
	}
	if detail, ok := revertDetail(err); ok {
		if detail == "" {
			return noReason, nil
		}
		return detail, nil
	}
	// The node's own answer (out of gas, say) is the reason; anything else
	// (the node unreachable, ctx ended) is an error.
	var answer rpc.Error
	if errors.As(err, &answer) {
		return err.Error(), nil
	}
	return "", fmt.Errorf("replaying %s: %w", hash.Hex(), err)
}

func isTxHash(h string) bool {
	if len(h) != 66 || !strings.HasPrefix(h, "0x") {
		return false
	}
	_, err := hex.DecodeString(h[2:])
	return err == nil
}

var (
	_ chain.Submitter = (*Submitter)(nil)
	_ chain.Receipts  = (*Submitter)(nil)
)
