package chainbench

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
	"github.com/ledgermirror/ledgermirror/test/gethnode"
)

// runGeth measures chain.pins.geth on a fresh geth --dev, which mines one
// block per transaction.
func runGeth(ctx context.Context, opts Options, progress func(string)) (float64, error) {
	progress("starting geth --dev")
	node, err := gethnode.StartProcess(ctx, gethnode.Options{})
	if err != nil {
		return 0, err
	}
	defer func() {
		if err := node.Close(); err != nil {
			progress(err.Error())
		}
	}()
	c, err := ethclient.DialContext(ctx, node.WSURL)
	if err != nil {
		return 0, fmt.Errorf("dialling %s: %w", node.WSURL, err)
	}
	conns := &pool{conns: []*ethclient.Client{c}}
	defer conns.close()
	key, err := crypto.HexToECDSA(node.Key)
	if err != nil {
		return 0, fmt.Errorf("dev key: %w", err)
	}
	id, err := c.ChainID(ctx)
	if err != nil {
		return 0, err
	}
	deployOpts := bind.NewKeyedTransactor(key, id)
	deployOpts.Context = ctx
	_, tx, err := batchpin.SendDeployment(deployOpts, c)
	if err != nil {
		return 0, fmt.Errorf("deploying BatchPin: %w", err)
	}
	// WaitDeployed retries every error, so geth's -32000 "transaction
	// indexing is in progress" on a fresh chain only delays it.
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	d, err := batchpin.WaitDeployed(waitCtx, c, tx, 50*time.Millisecond)
	if err != nil {
		return 0, err
	}
	progress(fmt.Sprintf("geth --dev on %s: BatchPin at %s (block %d)", node.WSURL, d.Address.Hex(), d.BlockNumber))
	// More connections, as on the simulated chain, so the submitting
	// goroutines do not queue behind one connection's reader.
	for range opts.Workers {
		extra, err := ethclient.DialContext(ctx, node.WSURL)
		if err != nil {
			return 0, fmt.Errorf("dialling %s: %w", node.WSURL, err)
		}
		conns.conns = append(conns.conns, extra)
	}
	m := measurement{opts: opts, pins: opts.GethPins, progress: progress, target: target{
		client: conns, chainID: id.Uint64(), address: d.Address, key: key, start: d.BlockNumber + 1,
	}}
	return m.run(ctx)
}
