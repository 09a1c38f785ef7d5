package network

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

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// Client is everything the member asks of a chain's JSON-RPC client:
// reading logs and heads, sending, and looking transactions up.
// *ethclient.Client and the embedded chain's client provide it.
type Client interface {
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	FilterLogs(ctx context.Context, q goethereum.FilterQuery) ([]types.Log, error)
	SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (goethereum.Subscription, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	EstimateGas(ctx context.Context, call goethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
	TransactionByHash(ctx context.Context, txHash common.Hash) (tx *types.Transaction, isPending bool, err error)
	CallContract(ctx context.Context, call goethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
}

// Chain is the chain a member pins to, however it was reached.
type Chain struct {
	Client  Client
	ChainID uint64
	// Contracts maps each namespace the member serves to its BatchPin.
	Contracts map[string]common.Address
	// Polling says the client cannot push new heads (plain HTTP).
	Polling bool
}

// LoadOrCreateSigningKey reads the org's secp256k1 signing key (hex) from
// path, creating it (mode 0600) when the file does not exist.
func LoadOrCreateSigningKey(path string) (*ecdsa.PrivateKey, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key, err := crypto.GenerateKey()
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		text := hex.EncodeToString(crypto.FromECDSA(key)) + "\n"
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, fmt.Errorf("creating signing key %s: %w", path, err)
		}
		if _, err := f.WriteString(text); err != nil {
			_ = f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			_ = f.Close()
			return nil, err
		}
		return key, f.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("reading signing key %s: %w", path, err)
	}
	key, err := crypto.HexToECDSA(strings.TrimPrefix(strings.TrimSpace(string(raw)), "0x"))
	if err != nil {
		return nil, fmt.Errorf("signing key %s: not a hex secp256k1 private key", path)
	}
	return key, nil
}
