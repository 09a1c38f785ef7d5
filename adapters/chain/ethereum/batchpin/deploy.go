package batchpin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// ErrDeployFailed is returned when the creation transaction was mined but
// left no contract behind (it reverted, or ran out of gas).
var ErrDeployFailed = errors.New("batchpin: deployment failed")

// Deployment says where a BatchPin contract lives and how it got there.
type Deployment struct {
	Address     common.Address
	TxHash      common.Hash
	BlockNumber uint64
	BlockHash   common.Hash
}

// Backend is what deploying needs from a chain client; *ethclient.Client and
// the simulated backend's client both provide it.
type Backend interface {
	bind.ContractBackend
	bind.DeployBackend
}

// SendDeployment signs the creation transaction of the contract with opts and
// sends it. It returns the address the contract will have once the
// transaction is mined (it depends only on the sender and nonce) and the
// transaction; it does not wait.
func SendDeployment(opts *bind.TransactOpts, backend bind.ContractBackend) (common.Address, *types.Transaction, error) {
	bin := common.FromHex(BatchPinMetaData.Bin)
	if len(bin) == 0 {
		return common.Address{}, nil, errors.New("batchpin: the bindings carry no bytecode")
	}
	return bind.DeployContract(opts, bin, backend, nil)
}

// WaitDeployed polls for the receipt of the creation transaction tx every
// poll until it arrives or ctx ends (returning ctx's error, wrapped). A
// receipt with a failed status, or no code at the contract's address,
// returns ErrDeployFailed.
func WaitDeployed(ctx context.Context, backend bind.DeployBackend, tx *types.Transaction, poll time.Duration) (Deployment, error) {
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	var lastErr error
	for {
		receipt, err := backend.TransactionReceipt(ctx, tx.Hash())
		if err == nil {
			return checkReceipt(ctx, backend, receipt)
		}
		// NotFound means not mined yet. Other errors (a node that is slow or
		// restarting) are retried too: only the deadline ends the wait.
		if !errors.Is(err, ethereum.NotFound) && ctx.Err() == nil {
			lastErr = err
		}
		select {
		case <-ctx.Done():
			if lastErr != nil {
				return Deployment{}, fmt.Errorf("batchpin: no receipt for transaction %s (last error from the node: %w): %w", tx.Hash(), lastErr, ctx.Err())
			}
			return Deployment{}, fmt.Errorf("batchpin: no receipt for transaction %s: %w", tx.Hash(), ctx.Err())
		case <-ticker.C:
		}
	}
}

func checkReceipt(ctx context.Context, backend bind.DeployBackend, r *types.Receipt) (Deployment, error) {
	d := Deployment{Address: r.ContractAddress, TxHash: r.TxHash, BlockHash: r.BlockHash}
	if r.BlockNumber != nil {
		d.BlockNumber = r.BlockNumber.Uint64()
	}
	if r.Status != types.ReceiptStatusSuccessful {
		return d, fmt.Errorf("%w: transaction %s failed in block %d", ErrDeployFailed, d.TxHash, d.BlockNumber)
	}
	code, err := backend.CodeAt(ctx, d.Address, r.BlockNumber)
	if err != nil {
		return d, fmt.Errorf("batchpin: reading the code at %s: %w", d.Address, err)
	}
	if len(code) == 0 {
		return d, fmt.Errorf("%w: no code at %s after transaction %s", ErrDeployFailed, d.Address, d.TxHash)
	}
	return d, nil
}
