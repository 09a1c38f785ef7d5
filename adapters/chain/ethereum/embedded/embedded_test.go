package embedded_test

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum"
	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/embedded"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// grant is what the faucet gives an account.
var grant = new(big.Int).Lsh(big.NewInt(1), 100)

func newKey(t *testing.T) (*ecdsa.PrivateKey, common.Address) {
	t.Helper()
	key, err := crypto.GenerateKey()
	require.NoError(t, err)
	return key, crypto.PubkeyToAddress(key.PublicKey)
}

func start(t *testing.T, cfg embedded.Config) *embedded.Chain {
	t.Helper()
	if cfg.BlockInterval == 0 {
		cfg.BlockInterval = time.Hour // blocks only for transactions
	}
	c, err := embedded.Start(cfg, zerolog.New(zerolog.NewTestWriter(t)))
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, c.Close()) })
	return c
}

func pinRequest() chain.PinRequest {
	id := uuid.New()
	return chain.PinRequest{Namespace: "default", TxID: uuid.New(), BatchID: id, BatchHash: protocol.SHA256(id[:]),
		PayloadRef: "shared:" + id.String(), Contexts: []protocol.Hash{protocol.SHA256(id[:8])}}
}

// receiptClient is what waitMined needs of a client.
type receiptClient interface {
	TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error)
}

// pin submits one pin and waits for its receipt.
func pin(t *testing.T, client ethereum.TxClient, address common.Address, key *ecdsa.PrivateKey) *types.Receipt {
	t.Helper()
	sub, err := ethereum.NewSubmitter(client, embedded.ChainID, address, key)
	require.NoError(t, err)
	sent, err := chain.Submit(context.Background(), sub, pinRequest())
	require.NoError(t, err)
	return waitMined(t, client.(receiptClient), common.HexToHash(sent.TxHash))
}

func waitMined(t *testing.T, client receiptClient, hash common.Hash) *types.Receipt {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		r, err := client.TransactionReceipt(context.Background(), hash)
		if err == nil {
			require.Equal(t, types.ReceiptStatusSuccessful, r.Status)
			return r
		}
		require.ErrorIs(t, err, goethereum.NotFound)
		require.True(t, time.Now().Before(deadline), "%s never mined", hash.Hex())
		time.Sleep(time.Millisecond)
	}
}

func balance(t *testing.T, c *embedded.Chain, a common.Address) *big.Int {
	t.Helper()
	b, err := c.Client().BalanceAt(context.Background(), a, nil)
	require.NoError(t, err)
	return b
}

func header(t *testing.T, c *embedded.Chain, n *big.Int) *types.Header {
	t.Helper()
	h, err := c.Client().HeaderByNumber(context.Background(), n)
	require.NoError(t, err)
	return h
}

func TestInMemoryChainFundsAndPins(t *testing.T) {
	key, from := newKey(t)
	c := start(t, embedded.Config{Funded: []common.Address{from}})
	assert.Equal(t, grant, balance(t, c, from))
	for range 3 {
		pin(t, c.Client(), c.Address(), key)
	}
	_, later := newKey(t)
	require.NoError(t, c.Fund(context.Background(), later))
	assert.Equal(t, grant, balance(t, c, later))
	require.NoError(t, c.Close())
	require.NoError(t, c.Close(), "closing twice is harmless")
}

// A chain in a data directory is the same chain after Close and Start.
func TestDataDirChainResumes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "chain")
	key, from := newKey(t)
	ctx := context.Background()
	c, err := embedded.Start(embedded.Config{DataDir: dir, Funded: []common.Address{from}, BlockInterval: time.Hour}, zerolog.Nop())
	require.NoError(t, err)
	var receipts []*types.Receipt
	for range 3 {
		receipts = append(receipts, pin(t, c.Client(), c.Address(), key))
	}
	genesis := header(t, c, big.NewInt(0)).Hash()
	head := header(t, c, nil)
	reader := ethereum.NewReader(c.Client(), embedded.ChainID, c.Address(), zerolog.Nop())
	logs, err := reader.Logs(ctx, 0, head.Number.Uint64())
	require.NoError(t, err)
	require.Len(t, logs, 3)
	address, left := c.Address(), balance(t, c, from)
	require.NoError(t, c.Close())

	c = start(t, embedded.Config{DataDir: dir, Funded: []common.Address{from}})
	assert.Equal(t, address, c.Address())
	assert.Equal(t, genesis, header(t, c, big.NewInt(0)).Hash())
	assert.Equal(t, head.Hash(), header(t, c, head.Number).Hash())
	assert.Equal(t, left, balance(t, c, from), "not funded again: it has enough")
	for _, r := range receipts {
		again, err := c.Client().TransactionReceipt(ctx, r.TxHash)
		require.NoError(t, err)
		assert.Equal(t, r.BlockHash, again.BlockHash)
	}
	reader = ethereum.NewReader(c.Client(), embedded.ChainID, c.Address(), zerolog.Nop())
	again, err := reader.Logs(ctx, 0, head.Number.Uint64())
	require.NoError(t, err)
	assert.Equal(t, logs, again)
	next := pin(t, c.Client(), c.Address(), key)
	assert.Greater(t, next.BlockNumber.Uint64(), head.Number.Uint64())

	// The faucet key is private to the directory's owner.
	info, err := os.Stat(filepath.Join(dir, "faucet.key"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	text, err := os.ReadFile(filepath.Join(dir, "faucet.key"))
	require.NoError(t, err)
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{64}\n$`), string(text))

	// One process at a time.
	_, err = embedded.Start(embedded.Config{DataDir: dir}, zerolog.Nop())
	assert.Error(t, err)
}

// The genesis funds only the faucet: the accounts to fund may change from
// one start to the next, and accounts added later are funded on demand.
func TestDataDirGenesisDoesNotDependOnFundedAccounts(t *testing.T) {
	dir := t.TempDir()
	keyA, a := newKey(t)
	keyB, b := newKey(t)
	_, later := newKey(t)
	c, err := embedded.Start(embedded.Config{DataDir: dir, Funded: []common.Address{a}, BlockInterval: time.Hour}, zerolog.Nop())
	require.NoError(t, err)
	genesis := header(t, c, big.NewInt(0)).Hash()
	assert.Equal(t, grant, balance(t, c, a))
	assert.Zero(t, balance(t, c, b).Sign())
	require.NoError(t, c.Close())

	c = start(t, embedded.Config{DataDir: dir, Funded: []common.Address{a, b}})
	assert.Equal(t, genesis, header(t, c, big.NewInt(0)).Hash())
	assert.Equal(t, grant, balance(t, c, a), "funded once")
	assert.Equal(t, grant, balance(t, c, b))
	pin(t, c.Client(), c.Address(), keyA)
	pin(t, c.Client(), c.Address(), keyB)

	require.NoError(t, c.Fund(context.Background(), later))
	require.NoError(t, c.Fund(context.Background(), later))
	assert.Equal(t, grant, balance(t, c, later), "funded once")
}

func TestEachNamespaceGetsItsOwnContract(t *testing.T) {
	dir := t.TempDir()
	c := start(t, embedded.Config{DataDir: dir})
	ctx := context.Background()
	a, err := c.ContractFor(ctx, "default")
	require.NoError(t, err)
	assert.Equal(t, c.Address(), a, "the first namespace takes the contract deployed at start")
	b, err := c.ContractFor(ctx, "other")
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	code, err := c.Client().CodeAt(ctx, b, nil)
	require.NoError(t, err)
	assert.NotEmpty(t, code, "the second namespace's contract is deployed")
	again, err := c.ContractFor(ctx, "other")
	require.NoError(t, err)
	assert.Equal(t, b, again)
	require.NoError(t, c.Close())

	c = start(t, embedded.Config{DataDir: dir})
	kept, err := c.ContractFor(ctx, "other")
	require.NoError(t, err)
	assert.Equal(t, b, kept, "a namespace keeps its contract across restarts")
}
