package chainbench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
)

// runSimulated measures chain.pins.simulated on a fresh simulated chain.
func runSimulated(ctx context.Context, opts Options, progress func(string)) (float64, error) {
	key, err := crypto.GenerateKey()
	if err != nil {
		return 0, err
	}
	// The chain also listens on a Unix socket, so the benchmark can open
	// several connections (the in-process client is a single one).
	dir, err := os.MkdirTemp("", "chainbench-")
	if err != nil {
		return 0, err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	ipc := filepath.Join(dir, "sim.ipc")
	sim := simulated.NewBackend(types.GenesisAlloc{crypto.PubkeyToAddress(key.PublicKey): {Balance: funds}},
		func(nodeConf *node.Config, _ *ethconfig.Config) { nodeConf.IPCPath = ipc })
	defer func() { _ = sim.Close() }()
	conns := &pool{}
	defer conns.close()
	for range opts.Workers + 1 {
		c, err := ethclient.DialContext(ctx, ipc)
		if err != nil {
			return 0, fmt.Errorf("dialling the simulated chain: %w", err)
		}
		conns.conns = append(conns.conns, c)
	}
	c := sim.Client()
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
	sim.Commit()
	waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	d, err := batchpin.WaitDeployed(waitCtx, c, tx, 10*time.Millisecond)
	if err != nil {
		return 0, err
	}
	progress(fmt.Sprintf("simulated chain: BatchPin at %s; a block every %d transactions", d.Address.Hex(), opts.CommitEvery))
	m := measurement{opts: opts, pins: opts.Pins, progress: progress, target: target{
		client: conns, chainID: id.Uint64(), address: d.Address, key: key, start: d.BlockNumber + 1,
		commit: func() { sim.Commit() },
	}}
	return m.run(ctx)
}
