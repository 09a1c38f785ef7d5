package ethereum_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
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
// restarted) send concurrently: every pin lands, none clashes on a nonce.
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
	for _, sub := range []*ethereum.Submitter{a, b} {
		wg.Go(func() {
			for range 20 {
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
	_, err = sub.Submit(context.Background(), request(1))
	require.Error(t, err)
	assert.False(t, errors.Is(err, chain.ErrReverted))
}
