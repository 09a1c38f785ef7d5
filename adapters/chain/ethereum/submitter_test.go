package ethereum_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func request(contexts int) chain.PinRequest {
	id := uuid.New()
	ctxs := make([]protocol.Hash, contexts)
	for i := range ctxs {
		ctxs[i] = protocol.SHA256([]byte{byte(i), 1})
	}
	return chain.PinRequest{Namespace: "default", TxID: uuid.New(), BatchID: id, BatchHash: protocol.SHA256(id[:]),
		PayloadRef: "local:" + id.String(), Contexts: ctxs}
}

// Two submitters sharing one key (two processes of a member, or one
// restarted) send concurrently, each from two goroutines (Submit takes
// nonces one at a time): every pin lands, none clashes on a nonce.
func TestSubmittersSharingAKeyDoNotClash(t *testing.T) {
	s := newSimChain(t)
	key, err := crypto.HexToECDSA(simKeyHex(s))
	require.NoError(t, err)
	a, err := ethereum.NewSubmitter(s.sim.Client(), s.chainID, s.address, key)
	require.NoError(t, err)
	b, err := ethereum.NewSubmitter(s.sim.Client(), s.chainID, s.address, key)
	require.NoError(t, err)
	var wg sync.WaitGroup
	sent := make(chan chain.Submission, 40)
	for _, sub := range []*ethereum.Submitter{a, b, a, b} {
		wg.Go(func() {
			for range 10 {
				res, err := sub.Submit(context.Background(), request(10))
				if !assert.NoError(t, err) {
					return
				}
				sent <- res
			}
		})
	}
	wg.Wait()
	close(sent)
	nonces := map[uint64]bool{}
	for res := range sent {
		assert.False(t, nonces[res.Nonce], "nonce %d used twice", res.Nonce)
		nonces[res.Nonce] = true
		assert.Equal(t, a.Signer(), res.Signer)
	}
	require.Len(t, nonces, 40)
	s.sim.Commit()

	r := ethereum.NewReader(s.sim.Client(), s.chainID, s.address, zerolog.Nop())
	f, err := chain.NewFollower(chain.Config{Namespace: "default"}, r)
	require.NoError(t, err)
	events, _, _, err := f.Step(context.Background())
	require.NoError(t, err)
	assert.Len(t, only[catalogue.PinObserved](events), 40)
}

func TestNodeDownIsAnErrorNotARevert(t *testing.T) {
	s := newSimChain(t)
	key, err := crypto.HexToECDSA(simKeyHex(s))
	require.NoError(t, err)
	sub, err := ethereum.NewSubmitter(s.sim.Client(), s.chainID, s.address, key)
	require.NoError(t, err)
	require.NoError(t, s.sim.Close())
	_, err = chain.Submit(context.Background(), sub, request(1))
	require.Error(t, err)
	assert.False(t, errors.Is(err, chain.ErrReverted))
}

// A prepared transaction is sent as signed; sending it again, pending or
// mined, succeeds and adds nothing to the chain.
func TestSendIsIdempotent(t *testing.T) {
	s := newSimChain(t)
	sub := simSubmitter(t, s)
	ctx := context.Background()
	req := request(2)
	signed, err := sub.Prepare(ctx, req)
	require.NoError(t, err)
	require.NotEmpty(t, signed.Raw)
	assert.Equal(t, sub.Signer(), signed.Signer)
	assert.Equal(t, "ethereum:1337", signed.Chain)
	status, err := sub.TxStatus(ctx, signed.TxHash)
	require.NoError(t, err)
	assert.Equal(t, chain.TxUnknown, status.State, "Prepare sends nothing")

	require.NoError(t, sub.Send(ctx, signed))
	require.NoError(t, sub.Send(ctx, signed), "already known")
	s.sim.Commit()
	require.NoError(t, sub.Send(ctx, signed), "mined")
	// Another submitter of the key (a restarted process) sending the
	// recorded transaction: the node says the nonce is too low.
	require.NoError(t, simSubmitter(t, s).Send(ctx, signed), "mined, sent by another process")
	s.sim.Commit()

	assert.Equal(t, chain.TxMined, settledStatus(t, sub, signed.TxHash).State)
	assert.Equal(t, []uuid.UUID{req.BatchID}, observedBatches(t, s), "the chain holds the batch once")
}

// A transaction prepared and never sent (its record failed, the process
// died) reserves nothing: the next one takes its nonce and gets mined.
func TestAnUnsentTransactionLeavesNoGap(t *testing.T) {
	s := newSimChain(t)
	sub := simSubmitter(t, s)
	ctx := context.Background()
	unsent, err := sub.Prepare(ctx, request(1))
	require.NoError(t, err)
	req := request(1)
	next, err := sub.Prepare(ctx, req)
	require.NoError(t, err)
	assert.Equal(t, unsent.Nonce, next.Nonce)
	require.NoError(t, sub.Send(ctx, next))
	s.sim.Commit()
	assert.Equal(t, []uuid.UUID{req.BatchID}, observedBatches(t, s))

	// And the unsent one, sent late, is refused: its nonce is taken.
	assert.ErrorIs(t, sub.Send(ctx, unsent), chain.ErrNonceTaken)
	after, err := sub.Prepare(ctx, request(1))
	require.NoError(t, err)
	assert.Equal(t, next.Nonce+1, after.Nonce, "the refusal made it ask the node")
}

// A transaction whose nonce another one of the key holds in the pool (not
// mined yet) is refused with ErrNonceTaken too.
func TestSendOfATransactionWhoseNonceIsPooled(t *testing.T) {
	s := newSimChain(t)
	assertPooledNonceRefused(t, simSubmitter(t, s), simSubmitter(t, s))
}

// assertPooledNonceRefused has a and b, two submitters of one key, prepare
// a pin each with the same nonce; a sends first, and b's is refused with
// ErrNonceTaken.
func assertPooledNonceRefused(t *testing.T, a, b *ethereum.Submitter) {
	t.Helper()
	ctx := context.Background()
	first, err := a.Prepare(ctx, request(1))
	require.NoError(t, err)
	second, err := b.Prepare(ctx, request(1))
	require.NoError(t, err)
	require.Equal(t, first.Nonce, second.Nonce)
	require.NoError(t, a.Send(ctx, first))
	assert.ErrorIs(t, b.Send(ctx, second), chain.ErrNonceTaken)
}

// A pin the contract would revert is refused before signing.
func TestPrepareOfARevertingPin(t *testing.T) {
	s := newSimChain(t)
	ctx := context.Background()
	deploy := sendRaw(t, s, nil, 200_000, revertingContract)
	s.sim.Commit()
	receipt, err := s.sim.Client().TransactionReceipt(ctx, common.HexToHash(deploy))
	require.NoError(t, err)
	sub, err := ethereum.NewSubmitter(s.sim.Client(), s.chainID, receipt.ContractAddress, s.key)
	require.NoError(t, err)
	_, err = sub.Prepare(ctx, request(1))
	var revert *chain.RevertError
	require.ErrorAs(t, err, &revert)
	assert.Equal(t, "nope", revert.Reason)
}

// Send refuses bytes that are not the transaction it is told they are.
func TestSendChecksTheTransaction(t *testing.T) {
	s := newSimChain(t)
	sub := simSubmitter(t, s)
	ctx := context.Background()
	signed, err := sub.Prepare(ctx, request(1))
	require.NoError(t, err)
	other := signed
	other.TxHash = "0x" + strings.Repeat("ab", 32)
	assert.Error(t, sub.Send(ctx, other))
	garbled := signed
	garbled.Raw = []byte{0x02, 0x01}
	assert.Error(t, sub.Send(ctx, garbled))
}

func observedBatches(t *testing.T, s *simChain) []uuid.UUID {
	t.Helper()
	r := ethereum.NewReader(s.sim.Client(), s.chainID, s.address, zerolog.Nop())
	f, err := chain.NewFollower(chain.Config{Namespace: "default"}, r)
	require.NoError(t, err)
	events, _, _, err := f.Step(context.Background())
	require.NoError(t, err)
	var ids []uuid.UUID
	for _, o := range only[catalogue.PinObserved](events) {
		ids = append(ids, o.BatchID)
	}
	return ids
}

// laggingIndex is the simulated node while its transaction index lags: its
// first receipt lookups answer "transaction indexing is in progress".
type laggingIndex struct {
	simulated.Client
	lags atomic.Int32
}

func (c *laggingIndex) TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	if c.lags.Add(-1) >= 0 {
		return nil, rpcError{"transaction indexing is in progress"}
	}
	return c.Client.TransactionReceipt(ctx, hash)
}

// A nonce clash while the node's index lags is not taken for "the node has
// this transaction": Send waits until the node can tell, and the refused
// transaction is ErrNonceTaken, not sent (the SharedKeyDoesNotClash flake
// against geth --dev).
func TestANonceClashWhileTheIndexLags(t *testing.T) {
	s := newSimChain(t)
	a := simSubmitter(t, s)
	client := &laggingIndex{Client: s.sim.Client()}
	client.lags.Store(3)
	b, err := ethereum.NewSubmitter(client, s.chainID, s.address, s.key)
	require.NoError(t, err)
	assertPooledNonceRefused(t, a, b)
	assert.Negative(t, client.lags.Load(), "it asked again once the index caught up")
}
