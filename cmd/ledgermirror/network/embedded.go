package network

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/embedded"
)

// OnEmbedded describes the embedded chain c for a member serving
// namespaces, after funding its signing key. The embedded chain has one
// BatchPin, so it serves one namespace.
func OnEmbedded(ctx context.Context, c *embedded.Chain, namespaces []string, signer common.Address) (Chain, error) {
	if len(namespaces) != 1 {
		return Chain{}, fmt.Errorf("the embedded chain serves one namespace (its one BatchPin); %d are configured — use driver ethereum with a contract per namespace", len(namespaces))
	}
	if err := c.Fund(ctx, signer); err != nil {
		return Chain{}, fmt.Errorf("funding %s on the embedded chain: %w", signer.Hex(), err)
	}
	return Chain{Client: c.Client(), ChainID: embedded.ChainID,
		Contracts: map[string]common.Address{namespaces[0]: c.Address()}}, nil
}
