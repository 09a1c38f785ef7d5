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
	"time"

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

// Submitter signs and sends BatchPin transactions from one key. It
// implements chain.Submitter and chain.Receipts.
type Submitter struct {
	client   TxClient
	key      *ecdsa.PrivateKey
	from     common.Address
	signer   protocol.SigningKey
	chainID  *big.Int
	name     string
	contract common.Address
	binding  *batchpin.BatchPin

	// submitting makes Submit calls take nonces and send one at a time.
	submitting sync.Mutex
	mu         sync.Mutex
	// next is the nonce after the last transaction this process sent; nil
	// until asked of the node (at start and after a failed send), so a
	// restart or another process sending from the key never makes it reuse
	// a nonce for long. It is kept because a node's pending count may lag
	// a transaction it has just accepted.
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

// Prepare implements chain.Submitter: a dynamic-fee transaction with the
// estimate plus a fifth as gas limit, the node's suggested tip, and a fee
// cap of the tip plus twice the head's base fee.
func (s *Submitter) Prepare(ctx context.Context, req chain.PinRequest) (chain.SignedPin, error) {
	d, err := s.draft(ctx, req)
	if err != nil {
		return chain.SignedPin{}, err
	}
	s.mu.Lock()
	nonce, err := s.nonce(ctx)
	s.mu.Unlock()
	if err != nil {
		return chain.SignedPin{}, err
	}
	return s.sign(d, nonce)
}

// Submit prepares and sends one transaction, taking the nonce and sending
// under a lock, so concurrent calls on one Submitter take nonces one at a
// time, and signing anew (at most nonceRetries times) when another sender
// from the key took the nonce. It is for callers that keep no record of
// what they send and call it concurrently (the chain benchmark); the node's
// pinner records each transaction between Prepare and Send. Unlike Send it
// needs no ReceiptClient: a transaction it has just signed cannot have
// been mined.
func (s *Submitter) Submit(ctx context.Context, req chain.PinRequest) (chain.Submission, error) {
	d, err := s.draft(ctx, req)
	if err != nil {
		return chain.Submission{}, err
	}
	s.submitting.Lock()
	defer s.submitting.Unlock()
	for attempt := 0; ; attempt++ {
		s.mu.Lock()
		nonce, err := s.nonce(ctx)
		s.mu.Unlock()
		if err != nil {
			return chain.Submission{}, err
		}
		signed, err := s.sign(d, nonce)
		if err != nil {
			return chain.Submission{}, err
		}
		tx, err := s.decode(signed)
		if err != nil {
			return chain.Submission{}, err
		}
		err = s.broadcast(ctx, tx)
		if err == nil {
			return signed.Submission, nil
		}
		if !nonceClash(err) || attempt >= nonceRetries {
			return chain.Submission{}, fmt.Errorf("sending the pin transaction (nonce %d): %w", nonce, err)
		}
		// The node counts the other sender's transaction in its pending
		// nonce only after its pool has taken it in, which can lag the
		// send: asking again at once can return the nonce just refused.
		select {
		case <-time.After(time.Duration(attempt+1) * nonceRetryPause):
		case <-ctx.Done():
			return chain.Submission{}, fmt.Errorf("sending the pin transaction (nonce %d): %w", nonce, ctx.Err())
		}
	}
}

// nonceRetryPause is the first pause before Submit asks the node for a
// nonce again after a clash; each retry waits one more of it.
const nonceRetryPause = 10 * time.Millisecond

// nonceRetries bounds how often Submit signs anew when another sender from
// the same key took the nonce it expected.
const nonceRetries = 5

// draft is a BatchPin transaction without its nonce.
type draft struct {
	data        []byte
	gas         uint64
	tip, feeCap *big.Int
}

// draft packs the call and prices it. A call the node says reverts is a
// *chain.RevertError.
func (s *Submitter) draft(ctx context.Context, req chain.PinRequest) (draft, error) {
	var uuids [32]byte
	copy(uuids[:16], req.TxID[:])
	copy(uuids[16:], req.BatchID[:])
	contexts := make([][32]byte, len(req.Contexts))
	for i, c := range req.Contexts {
		contexts[i] = c
	}
	data, err := s.binding.TryPackPinBatch(uuids, req.BatchHash, req.PayloadRef, contexts)
	if err != nil {
		return draft{}, fmt.Errorf("packing pinBatch: %w", err)
	}
	gas, err := s.client.EstimateGas(ctx, goethereum.CallMsg{From: s.from, To: &s.contract, Data: data})
	if err != nil {
		if reason, ok := revertReason(err); ok {
			return draft{}, &chain.RevertError{Reason: reason}
		}
		return draft{}, fmt.Errorf("estimating gas: %w", err)
	}
	tip, err := s.client.SuggestGasTipCap(ctx)
	if err != nil {
		return draft{}, fmt.Errorf("gas tip: %w", err)
	}
	head, err := s.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return draft{}, fmt.Errorf("chain head: %w", err)
	}
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(baseFee(head), big.NewInt(2)))
	// A margin over the estimate: the estimate is for the state now, and
	// pins are cheap.
	return draft{data: data, gas: gas + gas/5, tip: tip, feeCap: feeCap}, nil
}

// sign signs d with nonce.
func (s *Submitter) sign(d draft, nonce uint64) (chain.SignedPin, error) {
	tx, err := types.SignNewTx(s.key, types.LatestSignerForChainID(s.chainID), &types.DynamicFeeTx{
		ChainID: s.chainID, Nonce: nonce, GasTipCap: d.tip, GasFeeCap: d.feeCap, Gas: d.gas, To: &s.contract, Data: d.data})
	if err != nil {
		return chain.SignedPin{}, fmt.Errorf("signing: %w", err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return chain.SignedPin{}, fmt.Errorf("encoding the signed transaction: %w", err)
	}
	return chain.SignedPin{Submission: chain.Submission{Chain: s.name, TxHash: strings.ToLower(tx.Hash().Hex()),
		Signer: s.signer, Nonce: nonce}, Raw: raw}, nil
}

// decode returns the transaction signed holds, checking it is the one
// its hash says.
func (s *Submitter) decode(signed chain.SignedPin) (*types.Transaction, error) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(signed.Raw); err != nil {
		return nil, fmt.Errorf("decoding the signed transaction %s: %w", signed.TxHash, err)
	}
	if hash := strings.ToLower(tx.Hash().Hex()); hash != signed.TxHash {
		return nil, fmt.Errorf("the signed transaction's hash is %s, not %s", hash, signed.TxHash)
	}
	return tx, nil
}

// broadcast sends tx to the node and keeps the nonce counter: past tx
// when the node takes it (or has it already), unknown (ask the node next
// time) after any other answer, which it returns.
func (s *Submitter) broadcast(ctx context.Context, tx *types.Transaction) error {
	err := s.client.SendTransaction(ctx, tx)
	switch {
	case err == nil:
		s.sent(ctx, tx.Nonce())
		return nil
	case alreadyKnown(err):
		return nil
	}
	s.mu.Lock()
	s.next = nil
	s.mu.Unlock()
	return err
}

// Send implements chain.Submitter. The node's "already known" is a
// success; its "nonce too low" (and "replacement transaction underpriced",
// another transaction with the nonce in its pool) is a success when the
// node knows this very transaction (it was mined, or is pending), and
// ErrNonceTaken when it does not, which needs a client that is a
// ReceiptClient to tell (without one, the error wraps ErrNoReceipts). A
// node whose transaction index lags is asked again for up to clashWait
// (statusAfterClash), and then Send fails rather than guess.
func (s *Submitter) Send(ctx context.Context, signed chain.SignedPin) error {
	tx, err := s.decode(signed)
	if err != nil {
		return err
	}
	err = s.broadcast(ctx, tx)
	if err == nil {
		return nil
	}
	if !nonceClash(err) {
		return fmt.Errorf("sending the pin transaction %s (nonce %d): %w", signed.TxHash, tx.Nonce(), err)
	}
	status, serr := s.statusAfterClash(ctx, signed.TxHash)
	switch {
	case serr != nil:
		return fmt.Errorf("sending the pin transaction %s (nonce %d): %w; looking it up: %w", signed.TxHash, tx.Nonce(), err, serr)
	case status.State != chain.TxUnknown:
		return nil
	}
	return fmt.Errorf("%w: %s (nonce %d): %w", chain.ErrNonceTaken, signed.TxHash, tx.Nonce(), err)
}

// sent notes that the node accepted a transaction with this nonce. When
// this process did not know the next nonce (a transaction recorded before
// a restart, sent again), it asks the node, which may have later
// transactions of the key already.
func (s *Submitter) sent(ctx context.Context, nonce uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := nonce + 1
	if s.next == nil {
		pending, err := s.client.PendingNonceAt(ctx, s.from)
		if err != nil {
			return // the next Prepare asks again
		}
		next = max(next, pending)
	} else {
		next = max(next, *s.next)
	}
	s.next = &next
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

// indexing recognises go-ethereum's answer to a lookup while its
// transaction indexer is still catching up ("transaction indexing is in
// progress"): the transaction may or may not be in the blocks it has not
// indexed yet.
func indexing(err error) bool {
	return strings.Contains(strings.ToLower(err.Error()), "transaction indexing is in progress")
}

// alreadyKnown recognises a node's answer that it has this very
// transaction in its pool.
func alreadyKnown(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "already known") || strings.Contains(msg, "known transaction")
}

// nonceClash recognises the errors a node gives when the nonce is used by
// a transaction, mined or in its pool (this one, or another from the same
// key).
func nonceClash(err error) bool {
	msg := strings.ToLower(err.Error())
	return strings.Contains(msg, "nonce too low") || strings.Contains(msg, "replacement transaction underpriced")
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
	status, lagging, err := s.txStatus(ctx, txHash)
	if lagging {
		// The node has not indexed its recent blocks yet (it answers so
		// for a while after it starts or mines): it cannot tell, so the
		// transaction is not lost; ask again later.
		return chain.TxStatus{State: chain.TxPending}, nil
	}
	return status, err
}

// txStatus is TxStatus, saying apart (lagging) a node that cannot tell
// yet because its transaction index lags.
func (s *Submitter) txStatus(ctx context.Context, txHash string) (_ chain.TxStatus, lagging bool, _ error) {
	client, ok := s.client.(ReceiptClient)
	if !ok {
		return chain.TxStatus{}, false, ErrNoReceipts
	}
	if !isTxHash(txHash) {
		return chain.TxStatus{}, false, fmt.Errorf("transaction hash %q is not 0x and 64 hex digits", txHash)
	}
	hash := common.HexToHash(txHash)
	// Twice at most: a transaction mined between the receipt and the
	// transaction lookups has a receipt the second time.
	for range 2 {
		receipt, err := client.TransactionReceipt(ctx, hash)
		if err == nil {
			status, err := mined(ctx, client, hash, receipt)
			return status, false, err
		}
		if indexing(err) {
			return chain.TxStatus{}, true, nil
		}
		if !errors.Is(err, goethereum.NotFound) {
			return chain.TxStatus{}, false, fmt.Errorf("receipt of %s: %w", txHash, err)
		}
		_, pending, err := client.TransactionByHash(ctx, hash)
		switch {
		case errors.Is(err, goethereum.NotFound):
			return chain.TxStatus{State: chain.TxUnknown}, false, nil
		case err != nil:
			return chain.TxStatus{}, false, fmt.Errorf("transaction %s: %w", txHash, err)
		case pending:
			return chain.TxStatus{State: chain.TxPending}, false, nil
		}
	}
	// Mined, says the node, yet no receipt (its index lags): not lost.
	return chain.TxStatus{State: chain.TxPending}, false, nil
}

// clashWait bounds how long Send waits, after a nonce clash, for a node
// whose transaction index lags to say whether it has the transaction, and
// clashPoll is how often it asks meanwhile. A dev node catches up within
// milliseconds of a block.
const (
	clashWait = 5 * time.Second
	clashPoll = 20 * time.Millisecond
)

// statusAfterClash is TxStatus for Send after a nonce clash, where "the
// node cannot tell yet" must not pass for "pending": that would report a
// transaction the node refused (another one holds its nonce) as sent, and
// its pin would wait for a check to find it lost. It asks again while the
// node is indexing, and fails if it still is after clashWait.
func (s *Submitter) statusAfterClash(ctx context.Context, txHash string) (chain.TxStatus, error) {
	deadline := time.Now().Add(clashWait)
	for {
		status, lagging, err := s.txStatus(ctx, txHash)
		if err != nil || !lagging {
			return status, err
		}
		if time.Now().After(deadline) {
			return chain.TxStatus{}, fmt.Errorf("the node is still indexing its transactions after %s and cannot tell whether it has %s", clashWait, txHash)
		}
		select {
		case <-ctx.Done():
			return chain.TxStatus{}, ctx.Err()
		case <-time.After(clashPoll):
		}
	}
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
