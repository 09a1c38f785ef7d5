package ethereum

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"strings"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/audit"
)

// ManifestSigner signs audit manifests with the node's chain key
// (secp256k1); its identity is the key's address, lower case.
type ManifestSigner struct{ key *ecdsa.PrivateKey }

var _ audit.Signer = ManifestSigner{}

// NewManifestSigner signs with key.
func NewManifestSigner(key *ecdsa.PrivateKey) ManifestSigner { return ManifestSigner{key: key} }

// Identity implements audit.Signer.
func (s ManifestSigner) Identity() string {
	return strings.ToLower(crypto.PubkeyToAddress(s.key.PublicKey).Hex())
}

// Sign implements audit.Signer: a 65-byte [R || S || V] signature.
func (s ManifestSigner) Sign(digest [32]byte) ([]byte, error) { return crypto.Sign(digest[:], s.key) }

// SignatureChecker checks manifests signed by ManifestSigner.
type SignatureChecker struct{}

var _ audit.SignatureChecker = SignatureChecker{}

// CheckSignature implements audit.SignatureChecker: the key that signed
// digest must have the address signer.
func (SignatureChecker) CheckSignature(signer string, digest [32]byte, signature []byte) error {
	if !common.IsHexAddress(signer) {
		return fmt.Errorf("signer %q is not an address", signer)
	}
	pub, err := crypto.SigToPub(digest[:], signature)
	if err != nil {
		return fmt.Errorf("not a signature: %w", err)
	}
	if got := crypto.PubkeyToAddress(*pub); got != common.HexToAddress(signer) {
		return fmt.Errorf("signed by %s, not by %s", strings.ToLower(got.Hex()), signer)
	}
	return nil
}

// ReceiptReader is what PinChecker needs of a JSON-RPC client.
type ReceiptReader interface {
	TransactionReceipt(ctx context.Context, hash common.Hash) (*types.Receipt, error)
}

// PinChecker checks audit evidence against a chain: the transaction's
// receipt must hold, at the log index, a BatchPin event of the contract
// with the batch id, hash and contexts, in the block named.
type PinChecker struct {
	client ReceiptReader
	name   string
}

var _ audit.PinChecker = (*PinChecker)(nil)

// NewPinChecker checks pins of the chain chainID through client.
func NewPinChecker(client ReceiptReader, chainID uint64) *PinChecker {
	return &PinChecker{client: client, name: fmt.Sprintf("ethereum:%d", chainID)}
}

// CheckPin implements audit.PinChecker.
func (c *PinChecker) CheckPin(ctx context.Context, e audit.Evidence) error {
	if e.Chain != c.name {
		return fmt.Errorf("%w: the pin is on %s, this client reaches %s", audit.ErrEvidence, e.Chain, c.name)
	}
	if !common.IsHexAddress(e.Contract) {
		return fmt.Errorf("%w: contract %q is not an address", audit.ErrEvidence, e.Contract)
	}
	receipt, err := c.client.TransactionReceipt(ctx, common.HexToHash(e.TxHash))
	if errors.Is(err, goethereum.NotFound) {
		return fmt.Errorf("%w: no transaction %s", audit.ErrEvidence, e.TxHash)
	}
	if err != nil {
		return err
	}
	if receipt.Status != types.ReceiptStatusSuccessful {
		return fmt.Errorf("%w: transaction %s failed", audit.ErrEvidence, e.TxHash)
	}
	if receipt.BlockNumber == nil || receipt.BlockNumber.Uint64() != e.BlockNumber ||
		!strings.EqualFold(receipt.BlockHash.Hex(), e.BlockHash) {
		return fmt.Errorf("%w: transaction %s is in block %v %s, not %d %s", audit.ErrEvidence, e.TxHash,
			receipt.BlockNumber, strings.ToLower(receipt.BlockHash.Hex()), e.BlockNumber, e.BlockHash)
	}
	reader := NewReader(nil, 0, common.HexToAddress(e.Contract), zerolog.Nop())
	for _, raw := range receipt.Logs {
		if raw.Index != uint(e.LogIndex) {
			continue
		}
		l, err := reader.decode(raw)
		if err != nil {
			return fmt.Errorf("%w: log %d of %s: %w", audit.ErrEvidence, e.LogIndex, e.TxHash, err)
		}
		if l.BatchID != e.BatchID || l.BatchHash != e.BatchHash || !slices.Equal(l.Contexts, e.Contexts) {
			return fmt.Errorf("%w: log %d of %s pins batch %s (hash %s, %d contexts)", audit.ErrEvidence, e.LogIndex, e.TxHash,
				l.BatchID, l.BatchHash, len(l.Contexts))
		}
		return nil
	}
	return fmt.Errorf("%w: transaction %s has no log %d", audit.ErrEvidence, e.TxHash, e.LogIndex)
}
