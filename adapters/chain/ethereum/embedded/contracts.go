package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ethereum/go-ethereum/common"
)

// contractsFile maps namespaces to their BatchPin in a data directory.
const contractsFile = "contracts.json"

func loadContracts(dataDir string) (map[string]common.Address, error) {
	out := map[string]common.Address{}
	if dataDir == "" {
		return out, nil
	}
	raw, err := os.ReadFile(filepath.Join(dataDir, contractsFile))
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", contractsFile, err)
	}
	return out, nil
}

// ContractFor returns the BatchPin of a namespace: each namespace has its
// own contract, so nothing one namespace pins reaches another's listener.
// The first namespace asked for gets the contract deployed at start
// (Address); each other one gets a new deployment, mined before this
// returns. The mapping is kept in the data directory, so a namespace keeps
// its contract across restarts.
func (c *Chain) ContractFor(ctx context.Context, namespace string) (common.Address, error) {
	c.faucetMu.Lock()
	defer c.faucetMu.Unlock()
	if a, ok := c.contracts[namespace]; ok {
		return a, nil
	}
	address := c.address
	if c.usesDefault() {
		deployed, tx, err := c.sendDeployment(ctx)
		if err != nil {
			return common.Address{}, fmt.Errorf("deploying BatchPin for namespace %s: %w", namespace, err)
		}
		if err := c.mine(ctx, []common.Hash{tx.Hash()}); err != nil {
			return common.Address{}, err
		}
		address = deployed
	}
	c.contracts[namespace] = address
	if c.dataDir != "" {
		raw, err := json.MarshalIndent(c.contracts, "", "  ")
		if err == nil {
			err = writeSynced(filepath.Join(c.dataDir, contractsFile), raw)
		}
		if err != nil {
			delete(c.contracts, namespace)
			return common.Address{}, fmt.Errorf("recording the contract of namespace %s: %w", namespace, err)
		}
	}
	c.log.Info().Str("namespace", namespace).Str("batchPin", address.Hex()).Msg("namespace contract")
	return address, nil
}

// usesDefault reports whether a namespace already has the start-up contract.
func (c *Chain) usesDefault() bool {
	for _, a := range c.contracts {
		if a == c.address {
			return true
		}
	}
	return false
}
