package ethereum_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// simChain is go-ethereum's simulated chain with BatchPin deployed.
type simChain struct {
	key      *ecdsa.PrivateKey
	sim      *simulated.Backend
	opts     *bind.TransactOpts
	address  common.Address
	instance *bind.BoundContract
	contract *batchpin.BatchPin
	chainID  uint64
}

func newSimChain(t *testing.T) *simChain {
	t.Helper()
	key, err := crypto.GenerateKey()
	require.NoError(t, err)
	sim := simulated.NewBackend(types.GenesisAlloc{
		crypto.PubkeyToAddress(key.PublicKey): {Balance: new(big.Int).Lsh(big.NewInt(1), 100)},
	})
	t.Cleanup(func() { _ = sim.Close() })
	id, err := sim.Client().ChainID(context.Background())
	require.NoError(t, err)
	opts := bind.NewKeyedTransactor(key, id)
	address, _, err := batchpin.SendDeployment(opts, sim.Client())
	require.NoError(t, err)
	sim.Commit()
	c := batchpin.NewBatchPin()
	return &simChain{key: key, sim: sim, opts: opts, address: address, instance: c.Instance(sim.Client(), address), contract: c,
		chainID: id.Uint64()}
}

// pin sends one BatchPin transaction (not yet mined).
func (s *simChain) pin(t *testing.T, batchID uuid.UUID, contexts int) {
	t.Helper()
	var uuids [32]byte
	txID := uuid.New()
	copy(uuids[:16], txID[:])
	copy(uuids[16:], batchID[:])
	ctxs := make([][32]byte, contexts)
	for i := range ctxs {
		ctxs[i] = protocol.SHA256([]byte{byte(i)})
	}
	_, err := bind.Transact(s.instance, s.opts, s.contract.PackPinBatch(uuids, protocol.SHA256(batchID[:]), "local:"+batchID.String(), ctxs))
	require.NoError(t, err)
}

func TestFollowerOverTheSimulatedChain(t *testing.T) {
	s := newSimChain(t)
	r := ethereum.NewReader(s.sim.Client(), s.chainID, s.address, zerolog.Nop())
	f, err := chain.NewFollower(chain.Config{Namespace: "default"}, r)
	require.NoError(t, err)
	a, b, c := uuid.New(), uuid.New(), uuid.New()
	s.pin(t, a, 10)
	s.pin(t, b, 1)
	s.sim.Commit()
	s.pin(t, c, 3)
	s.sim.Commit()

	var observed []catalogue.PinObserved
	for {
		events, more, _, err := f.Step(context.Background())
		require.NoError(t, err)
		for _, e := range events {
			require.NoError(t, e.Validate())
			if p, ok := e.(catalogue.PinObserved); ok {
				observed = append(observed, p)
			}
		}
		if !more {
			break
		}
	}
	require.Len(t, observed, 3)
	assert.Equal(t, []uuid.UUID{a, b, c}, []uuid.UUID{observed[0].BatchID, observed[1].BatchID, observed[2].BatchID})
	assert.Len(t, observed[0].Contexts, 10)
	assert.Equal(t, protocol.SHA256(a[:]), observed[0].BatchHash)
	assert.Equal(t, "local:"+a.String(), observed[0].PayloadRef)
	assert.Equal(t, r.Contract(), observed[0].Location.Contract)
	assert.Equal(t, observed[0].Location.BlockNumber, observed[1].Location.BlockNumber)
	assert.True(t, observed[0].Location.Less(observed[1].Location))
	assert.True(t, observed[1].Location.Less(observed[2].Location))
	signer, err := protocol.NewSigningKey(s.opts.From)
	require.NoError(t, err)
	assert.Equal(t, signer, observed[0].Signer)
	assert.Zero(t, r.Dropped())
}

func TestReorgOnTheSimulatedChain(t *testing.T) {
	s := newSimChain(t)
	r := ethereum.NewReader(s.sim.Client(), s.chainID, s.address, zerolog.Nop())
	f, err := chain.NewFollower(chain.Config{Namespace: "default"}, r)
	require.NoError(t, err)
	parent, err := s.sim.Client().HeaderByNumber(context.Background(), nil)
	require.NoError(t, err)
	gone := uuid.New()
	s.pin(t, gone, 1)
	s.sim.Commit()
	events, _, _, err := f.Step(context.Background())
	require.NoError(t, err)
	require.Len(t, only[catalogue.PinObserved](events), 1)

	// Fork from before the pin and make the fork longer.
	require.NoError(t, s.sim.Fork(parent.Hash()))
	s.sim.Commit()
	s.sim.Commit()
	events, _, reorg, err := f.Step(context.Background())
	require.NoError(t, err)
	require.NotNil(t, reorg)
	removed := only[catalogue.PinRemoved](events)
	require.Len(t, removed, 1)
	assert.Equal(t, "reorg", removed[0].Reason)
}

func only[T catalogue.Payload](events []catalogue.Payload) []T {
	var out []T
	for _, e := range events {
		if v, ok := e.(T); ok {
			out = append(out, v)
		}
	}
	return out
}

func simKeyHex(s *simChain) string { return hex.EncodeToString(crypto.FromECDSA(s.key)) }
