package ethereum

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"strings"
	"sync"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

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

// nonceRetries bounds how often a send is retried with a fresh nonce when
// another sender from the same key took the one this process expected.
const nonceRetries = 5

// Submitter sends BatchPin transactions from one key. It implements
// chain.Submitter.
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
	msg := err.Error()
	const marker = "execution reverted"
	i := strings.Index(strings.ToLower(msg), marker)
	if i < 0 {
		return "", false
	}
	reason := strings.TrimSpace(strings.TrimPrefix(msg[i+len(marker):], ":"))
	if reason == "" {
		reason = "no reason given"
	}
	return reason, true
}

var _ chain.Submitter = (*Submitter)(nil)
