package embedded

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"time"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
)

// faucetFile holds the faucet's private key (hex) in the data directory.
const faucetFile = "faucet.key"

var (
	// grant is what an account is given when it is funded: enough for
	// millions of pins.
	grant = new(big.Int).Lsh(big.NewInt(1), 100)
	// lowBalance is the balance below which Fund gives a grant.
	lowBalance = new(big.Int).Rsh(grant, 1)
)

// loadFaucet returns the faucet key of the data directory, creating it on
// first use; with no data directory, a new key. The key must be on disk
// before the genesis that funds it is, so it is synced before Start goes on.
func loadFaucet(dataDir string) (*ecdsa.PrivateKey, error) {
	if dataDir == "" {
		return crypto.GenerateKey()
	}
	path := filepath.Join(dataDir, faucetFile)
	key, err := crypto.LoadECDSA(path)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("reading the faucet key %s: %w", path, err)
	}
	if _, err := os.Stat(filepath.Join(dataDir, instanceName)); err == nil {
		return nil, fmt.Errorf("%s holds a chain but no %s: the chain cannot fund accounts without it", dataDir, faucetFile)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, err
	}
	key, err = crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	if err := writeSynced(path, []byte(hex.EncodeToString(crypto.FromECDSA(key))+"\n")); err != nil {
		return nil, fmt.Errorf("writing the faucet key: %w", err)
	}
	return key, nil
}

// writeSynced writes a new file with mode 0600 through a temporary file, so
// a crash leaves either no file or the whole file.
func writeSynced(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if err = errors.Join(err, f.Close()); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	return errors.Join(dir.Sync(), dir.Close())
}

// prepare deploys BatchPin unless it is there already, funds the accounts
// that need it, and waits until all of that is mined. BatchPin is the
// faucet's first transaction, so its address is known before it exists: a
// chain that stopped before the deployment was mined gets it on the next
// start, at the same address.
func (c *Chain) prepare(ctx context.Context, funded []common.Address) error {
	c.faucetMu.Lock()
	defer c.faucetMu.Unlock()
	var sent []common.Hash
	code, err := c.client.CodeAt(ctx, c.address, nil)
	if err != nil {
		return fmt.Errorf("looking for BatchPin: %w", err)
	}
	if len(code) == 0 {
		hash, err := c.deploy(ctx)
		if err != nil {
			return err
		}
		sent = append(sent, hash)
	}
	for _, a := range funded {
		hash, err := c.topUp(ctx, a)
		if err != nil {
			return err
		}
		if hash != (common.Hash{}) {
			sent = append(sent, hash)
		}
	}
	return c.mine(ctx, sent)
}

// deploy sends BatchPin's deployment as the faucet's first transaction.
func (c *Chain) deploy(ctx context.Context) (common.Hash, error) {
	nonce, err := c.client.NonceAt(ctx, c.faucetAddress(), nil)
	if err != nil {
		return common.Hash{}, fmt.Errorf("faucet nonce: %w", err)
	}
	if nonce != 0 {
		return common.Hash{}, fmt.Errorf("no BatchPin at %s although the faucet sent %d transactions: the data directory was not made by this chain",
			c.address.Hex(), nonce)
	}
	address, tx, err := c.sendDeployment(ctx)
	if err != nil {
		return common.Hash{}, fmt.Errorf("deploying BatchPin on the embedded chain: %w", err)
	}
	if address != c.address {
		return common.Hash{}, fmt.Errorf("BatchPin deployed at %s, expected %s", address.Hex(), c.address.Hex())
	}
	return tx.Hash(), nil
}

// Fund gives addr a balance from the faucet (enough for millions of pins)
// unless it has half of that already, and returns once the transfer is
// mined, so addr can send at once. Safe for concurrent use; an account
// funded twice at once is funded once.
func (c *Chain) Fund(ctx context.Context, addr common.Address) error {
	c.faucetMu.Lock()
	defer c.faucetMu.Unlock()
	hash, err := c.topUp(ctx, addr)
	if err != nil || hash == (common.Hash{}) {
		return err
	}
	return c.mine(ctx, []common.Hash{hash})
}

// topUp sends a grant to addr if its balance is low, and returns the
// transfer's hash (zero when none was needed). Callers hold faucetMu, which
// keeps the faucet's nonces in order.
func (c *Chain) topUp(ctx context.Context, addr common.Address) (common.Hash, error) {
	balance, err := c.client.BalanceAt(ctx, addr, nil)
	if err != nil {
		return common.Hash{}, fmt.Errorf("balance of %s: %w", addr.Hex(), err)
	}
	if balance.Cmp(lowBalance) >= 0 {
		return common.Hash{}, nil
	}
	nonce, err := c.faucetNonce(ctx)
	if err != nil {
		return common.Hash{}, err
	}
	head, err := c.client.HeaderByNumber(ctx, nil)
	if err != nil {
		return common.Hash{}, fmt.Errorf("chain head: %w", err)
	}
	tip := big.NewInt(params.GWei)
	feeCap := new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2)))
	id := big.NewInt(ChainID)
	tx, err := types.SignNewTx(c.faucet, types.LatestSignerForChainID(id), &types.DynamicFeeTx{
		ChainID: id, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: params.TxGas, To: &addr, Value: grant})
	if err != nil {
		return common.Hash{}, err
	}
	if err := c.client.SendTransaction(ctx, tx); err != nil {
		c.nextNonce = nil
		return common.Hash{}, fmt.Errorf("funding %s: %w", addr.Hex(), err)
	}
	c.nextNonce = new(nonce + 1)
	c.log.Info().Str("account", addr.Hex()).Str("tx", tx.Hash().Hex()).Msg("funding an account from the faucet")
	return tx.Hash(), nil
}

// faucetNonce is the nonce of the faucet's next transaction. It is counted
// here rather than asked of the pool for each send: the pool takes a new
// transaction in at once but counts it in its pending nonce only after an
// asynchronous reorganisation, so asking right after a send can return the
// nonce just used, and a second transaction with that nonce and a higher
// fee silently replaces the first, which then never mines. Callers hold
// faucetMu; a failed send forgets the count (nextNonce = nil), so the next
// one asks the chain again.
func (c *Chain) faucetNonce(ctx context.Context) (uint64, error) {
	pending, err := c.client.PendingNonceAt(ctx, c.faucetAddress())
	if err != nil {
		return 0, fmt.Errorf("faucet nonce: %w", err)
	}
	if c.nextNonce != nil && *c.nextNonce > pending {
		return *c.nextNonce, nil
	}
	return pending, nil
}

// sendDeployment sends a BatchPin deployment from the faucet with the
// counted nonce. Callers hold faucetMu.
func (c *Chain) sendDeployment(ctx context.Context) (common.Address, *types.Transaction, error) {
	nonce, err := c.faucetNonce(ctx)
	if err != nil {
		return common.Address{}, nil, err
	}
	opts := bind.NewKeyedTransactor(c.faucet, big.NewInt(ChainID))
	opts.Context, opts.Nonce = ctx, new(big.Int).SetUint64(nonce)
	address, tx, err := batchpin.SendDeployment(opts, c.client)
	if err != nil {
		c.nextNonce = nil
		return common.Address{}, nil, err
	}
	c.nextNonce = new(nonce + 1)
	return address, tx, nil
}

// mine seals blocks until every transaction in hashes has succeeded.
func (c *Chain) mine(ctx context.Context, hashes []common.Hash) error {
	for _, h := range hashes {
		if err := c.mineOne(ctx, h); err != nil {
			return err
		}
	}
	return nil
}

func (c *Chain) mineOne(ctx context.Context, h common.Hash) error {
	for {
		receipt, err := c.client.TransactionReceipt(ctx, h)
		switch {
		case err == nil && receipt.Status == types.ReceiptStatusSuccessful:
			return nil
		case err == nil:
			return fmt.Errorf("faucet transaction %s failed", h.Hex())
		// Not mined yet, or (just after a restart) the node cannot tell yet.
		case errors.Is(err, goethereum.NotFound), strings.Contains(err.Error(), "indexing is in progress"):
		default:
			return fmt.Errorf("receipt of %s: %w", h.Hex(), err)
		}
		c.Seal()
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s to be mined: %w", h.Hex(), ctx.Err())
		case <-time.After(time.Millisecond):
		}
	}
}

func (c *Chain) faucetAddress() common.Address { return crypto.PubkeyToAddress(c.faucet.PublicKey) }
