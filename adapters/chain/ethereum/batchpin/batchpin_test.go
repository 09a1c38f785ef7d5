package batchpin_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"math/big"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
)

const buildDir = "../../../../contracts/ethereum/build/"

func TestEventTopicIsTheProtocolSignature(t *testing.T) {
	want := crypto.Keccak256Hash([]byte("BatchPin(address,uint256,string,bytes32,bytes32,string,bytes32[])"))
	ev, ok := batchpin.NewBatchPin().GetABI().Events["BatchPin"]
	require.True(t, ok, "the ABI has no BatchPin event")
	assert.Equal(t, want, ev.ID)
	assert.False(t, ev.Anonymous)
	for _, in := range ev.Inputs {
		assert.False(t, in.Indexed, "%s is indexed; PROTOCOL.md puts every field in the data", in.Name)
	}
}

// The bindings embed the ABI and bytecode; they must be those of the
// committed build, or `make generate` was not run after `make contracts`.
func TestBindingsMatchCommittedBuild(t *testing.T) {
	abiFile, err := os.ReadFile(buildDir + "BatchPin.abi")
	require.NoError(t, err)
	binFile, err := os.ReadFile(buildDir + "BatchPin.bin")
	require.NoError(t, err)

	var committed, bound any
	require.NoError(t, json.Unmarshal(abiFile, &committed))
	require.NoError(t, json.Unmarshal([]byte(batchpin.BatchPinMetaData.ABI), &bound))
	assert.Equal(t, committed, bound, "batchpin.go is stale: run `make generate`")
	assert.Equal(t, "0x"+strings.TrimSpace(string(binFile)), batchpin.BatchPinMetaData.Bin, "batchpin.go is stale: run `make generate`")
}

// abigen's output calls bind/v2; the generator and the library must be the
// same release.
func TestGeneratorVersionMatchesGoMod(t *testing.T) {
	gomod, err := os.ReadFile("../../../../go.mod")
	require.NoError(t, err)
	doc, err := os.ReadFile("doc.go")
	require.NoError(t, err)
	lib := regexp.MustCompile(`(?m)^\s*github\.com/ethereum/go-ethereum (v\S+)`).FindSubmatch(gomod)
	require.NotNil(t, lib, "go.mod does not require go-ethereum")
	gen := regexp.MustCompile(`(?m)^//go:generate go run github\.com/ethereum/go-ethereum/cmd/abigen@(\S+) `).FindSubmatch(doc)
	require.NotNil(t, gen, "doc.go has no abigen go:generate line")
	assert.Equal(t, string(lib[1]), string(gen[1]), "update the abigen version in doc.go with go-ethereum's in go.mod, then `make generate`")
}

type pin struct {
	uuids, batchHash [32]byte
	payloadRef       string
	contexts         [][32]byte
}

func newPin(seed byte, payloadRef string, contexts int) pin {
	p := pin{payloadRef: payloadRef}
	p.uuids = crypto.Keccak256Hash([]byte{seed, 'u'})
	p.batchHash = crypto.Keccak256Hash([]byte{seed, 'b'})
	for i := range contexts {
		p.contexts = append(p.contexts, crypto.Keccak256Hash([]byte{seed, 'c', byte(i)}))
	}
	return p
}

func newChain(t *testing.T) (*simulated.Backend, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := crypto.GenerateKey()
	require.NoError(t, err)
	sim := simulated.NewBackend(types.GenesisAlloc{
		crypto.PubkeyToAddress(key.PublicKey): {Balance: new(big.Int).Lsh(big.NewInt(1), 100)},
	})
	t.Cleanup(func() { _ = sim.Close() })
	return sim, key
}

func deploy(t *testing.T, sim *simulated.Backend, opts *bind.TransactOpts) batchpin.Deployment {
	t.Helper()
	address, tx, err := batchpin.SendDeployment(opts, sim.Client())
	require.NoError(t, err)
	sim.Commit()
	d, err := batchpin.WaitDeployed(opts.Context, sim.Client(), tx, 10*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, address, d.Address, "SendDeployment predicts the address")
	assert.Equal(t, tx.Hash(), d.TxHash)
	return d
}

func TestPinBatchEmitsBatchPinOnSimulatedChain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, key := newChain(t)
	client := sim.Client()
	chainID, err := client.ChainID(ctx)
	require.NoError(t, err)
	opts := bind.NewKeyedTransactor(key, chainID)
	opts.Context = ctx
	d := deploy(t, sim, opts)

	contract := batchpin.NewBatchPin()
	instance := contract.Instance(client, d.Address)
	// A broadcast pin with 10 contexts and a private one without a payload
	// reference, in one block: their logs come back in submission order.
	pins := []pin{newPin(1, "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi", 10), newPin(2, "", 3)}
	var txs []*types.Transaction
	for _, p := range pins {
		tx, err := bind.Transact(instance, opts, contract.PackPinBatch(p.uuids, p.batchHash, p.payloadRef, p.contexts))
		require.NoError(t, err)
		txs = append(txs, tx)
	}
	sim.Commit()
	var receipt *types.Receipt
	for _, tx := range txs {
		receipt, err = bind.WaitMined(ctx, client, tx.Hash())
		require.NoError(t, err)
		require.Equal(t, types.ReceiptStatusSuccessful, receipt.Status)
	}
	header, err := client.HeaderByNumber(ctx, receipt.BlockNumber)
	require.NoError(t, err)

	it, err := bind.FilterEvents(instance, &bind.FilterOpts{Context: ctx}, contract.UnpackBatchPinEvent)
	require.NoError(t, err)
	defer func() { _ = it.Close() }()
	var got []*batchpin.BatchPinBatchPin
	for it.Next() {
		got = append(got, it.Value())
	}
	require.NoError(t, it.Error())
	require.Len(t, got, len(pins))
	for i, ev := range got {
		p := pins[i]
		assert.Equal(t, opts.From, ev.Author, "author is msg.sender")
		assert.Equal(t, new(big.Int).SetUint64(header.Time), ev.Timestamp, "timestamp is the block's")
		assert.Equal(t, "pin", ev.Action)
		assert.Equal(t, p.uuids, ev.Uuids)
		assert.Equal(t, p.batchHash, ev.BatchHash)
		assert.Equal(t, p.payloadRef, ev.PayloadRef)
		assert.Equal(t, p.contexts, ev.Contexts, "contexts keep their order")
		assert.Equal(t, txs[i].Hash(), ev.Raw.TxHash)
		assert.Equal(t, uint(i), ev.Raw.TxIndex)
		assert.Equal(t, d.Address, ev.Raw.Address)
		assert.Equal(t, receipt.BlockNumber.Uint64(), ev.Raw.BlockNumber)
	}
}

func TestWaitDeployedGivesUpAtTheDeadline(t *testing.T) {
	sim, key := newChain(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	chainID, err := sim.Client().ChainID(ctx)
	require.NoError(t, err)
	opts := bind.NewKeyedTransactor(key, chainID)
	opts.Context = ctx
	_, tx, err := batchpin.SendDeployment(opts, sim.Client())
	require.NoError(t, err)
	// No Commit: the transaction is never mined.
	short, cancelShort := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancelShort()
	_, err = batchpin.WaitDeployed(short, sim.Client(), tx, 10*time.Millisecond)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), tx.Hash().Hex())
}

// Chain logs are outside input: unpacking any log either fails or yields an
// event, never panics.
func FuzzUnpackBatchPinEvent(f *testing.F) {
	contract := batchpin.NewBatchPin()
	topic := contract.GetABI().Events["BatchPin"].ID
	p := newPin(1, "ref", 10)
	data, err := contract.GetABI().Events["BatchPin"].Inputs.Pack(
		common.HexToAddress("0x01"), big.NewInt(1), "pin", p.uuids, p.batchHash, p.payloadRef, p.contexts)
	require.NoError(f, err)
	f.Add(data, true)
	f.Add([]byte{}, true)
	f.Add(data[:100], true)
	f.Add(data, false)
	f.Fuzz(func(t *testing.T, data []byte, withTopic bool) {
		log := &types.Log{Data: data}
		if withTopic {
			log.Topics = []common.Hash{topic}
		}
		ev, err := contract.UnpackBatchPinEvent(log)
		if err == nil {
			require.NotNil(t, ev)
		}
	})
}
