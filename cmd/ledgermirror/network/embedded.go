package network

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/embedded"
)

// OnEmbedded describes the embedded chain c for a member serving
// namespaces, each on its own BatchPin, after funding its signing key.
func OnEmbedded(ctx context.Context, c *embedded.Chain, namespaces []string, signer common.Address) (Chain, error) {
	if err := c.Fund(ctx, signer); err != nil {
		return Chain{}, fmt.Errorf("funding %s on the embedded chain: %w", signer.Hex(), err)
	}
	contracts := map[string]common.Address{}
	for _, ns := range namespaces {
		a, err := c.ContractFor(ctx, ns)
		if err != nil {
			return Chain{}, err
		}
		contracts[ns] = a
	}
	return Chain{Client: c.Client(), ChainID: embedded.ChainID, Contracts: contracts}, nil
}
