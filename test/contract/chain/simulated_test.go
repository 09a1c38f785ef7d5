package chain_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
	domainchain "github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/test/contract/chain"
)

func TestSimulatedChain(t *testing.T) {
	chain.Run(t, chain.Harness{New: func(t *testing.T) chain.Env {
		key, err := crypto.GenerateKey()
		require.NoError(t, err)
		sim := simulated.NewBackend(types.GenesisAlloc{
			crypto.PubkeyToAddress(key.PublicKey): {Balance: new(big.Int).Lsh(big.NewInt(1), 100)},
		})
		t.Cleanup(func() { _ = sim.Close() })
		address, id := deploy(t, sim, key)
		return chain.Env{
			Reader: ethereum.NewReader(sim.Client(), id, address, zerolog.Nop()),
			NewSubmitter: func(t *testing.T) domainchain.Submitter {
				s, err := ethereum.NewSubmitter(sim.Client(), id, address, key)
				require.NoError(t, err)
				return s
			},
			Mine: func(*testing.T) { sim.Commit() },
			Fork: func(t *testing.T, parent string) {
				require.NoError(t, sim.Fork(common.HexToHash(parent)))
				sim.Commit()
				sim.Commit()
			},
		}
	}})
}

func deploy(t *testing.T, sim *simulated.Backend, key *ecdsa.PrivateKey) (common.Address, uint64) {
	t.Helper()
	id, err := sim.Client().ChainID(context.Background())
	require.NoError(t, err)
	address, _, err := batchpin.SendDeployment(bind.NewKeyedTransactor(key, id), sim.Client())
	require.NoError(t, err)
	sim.Commit()
	return address, id.Uint64()
}
