package chainbench

import (
	"context"
	"math/big"
	"sync/atomic"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
)

// pool spreads calls over several connections to one node, so concurrent
// submitters are not queued behind one connection's reader (go-ethereum's
// RPC client decodes every response of a connection on one goroutine).
type pool struct {
	conns []*ethclient.Client
	next  atomic.Uint32
}

func (p *pool) pick() *ethclient.Client {
	return p.conns[int(p.next.Add(1))%len(p.conns)]
}

func (p *pool) close() {
	for _, c := range p.conns {
		c.Close()
	}
}

func (p *pool) HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error) {
	return p.pick().HeaderByNumber(ctx, number)
}

func (p *pool) PendingNonceAt(ctx context.Context, account common.Address) (uint64, error) {
	return p.pick().PendingNonceAt(ctx, account)
}

func (p *pool) SuggestGasTipCap(ctx context.Context) (*big.Int, error) {
	return p.pick().SuggestGasTipCap(ctx)
}

func (p *pool) EstimateGas(ctx context.Context, call goethereum.CallMsg) (uint64, error) {
	return p.pick().EstimateGas(ctx, call)
}

func (p *pool) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	return p.pick().SendTransaction(ctx, tx)
}

func (p *pool) FilterLogs(ctx context.Context, q goethereum.FilterQuery) ([]types.Log, error) {
	return p.pick().FilterLogs(ctx, q)
}

func (p *pool) SubscribeNewHead(ctx context.Context, ch chan<- *types.Header) (goethereum.Subscription, error) {
	return p.conns[0].SubscribeNewHead(ctx, ch)
}
