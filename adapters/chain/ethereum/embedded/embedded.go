// Package embedded runs go-ethereum's simulated chain inside the process as
// the node's default chain: BatchPin is deployed at start, a block is sealed
// as soon as transactions are waiting (a pin is mined within milliseconds)
// and on a timer otherwise, and the chain can be exposed on a loopback
// JSON-RPC port so other processes share it.
//
// The chain lives in memory: it is gone when the process stops.
package embedded

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/node"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/batchpin"
)

// ErrInvalidConfig wraps every Config.Validate failure.
var ErrInvalidConfig = errors.New("invalid embedded chain config")

// Config configures the embedded chain.
type Config struct {
	// RPCPort exposes the chain's JSON-RPC (HTTP and WebSocket on one port)
	// on 127.0.0.1; 0 keeps it in-process only.
	RPCPort int `yaml:"rpcPort"`
	// BlockInterval seals a block even when nothing is waiting, so time
	// moves on chain. Default 1 s.
	BlockInterval time.Duration `yaml:"blockInterval"`
	// Funded are accounts given a balance at genesis (members' signing
	// keys), besides the deployer.
	Funded []common.Address `yaml:"-"`
}

// SetDefaults fills zero values.
func (c *Config) SetDefaults() {
	if c.BlockInterval == 0 {
		c.BlockInterval = time.Second
	}
}

// Validate checks the config after SetDefaults.
func (c Config) Validate() error {
	if c.RPCPort < 0 || c.RPCPort > 65535 {
		return fmt.Errorf("%w: rpcPort %d is not a port", ErrInvalidConfig, c.RPCPort)
	}
	if c.BlockInterval < 10*time.Millisecond {
		return fmt.Errorf("%w: blockInterval %s is below 10ms", ErrInvalidConfig, c.BlockInterval)
	}
	return nil
}

// ChainID is the embedded chain's id (go-ethereum's simulated default).
const ChainID = 1337

// pendingCheck is how often waiting transactions sent by other processes
// (over RPC) are looked for; this process's own sends seal at once.
const pendingCheck = 5 * time.Millisecond

// coalesce is how long a block waits for more transactions after one
// arrives: long enough to batch a burst, short enough to stay in
// milliseconds.
const coalesce = time.Millisecond

// Chain is a running embedded chain.
type Chain struct {
	sim      *simulated.Backend
	address  common.Address
	deployer *ecdsa.PrivateKey
	wake     chan struct{}
	stop     chan struct{}
	// commit serialises sealing: the simulated backend's Commit is not
	// meant to run twice at once.
	commit sync.Mutex
	wg     sync.WaitGroup
	log    zerolog.Logger
}

// Start starts the chain and deploys BatchPin.
func Start(cfg Config, log zerolog.Logger) (*Chain, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	deployer, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	rich := new(big.Int).Lsh(big.NewInt(1), 100)
	alloc := types.GenesisAlloc{crypto.PubkeyToAddress(deployer.PublicKey): {Balance: rich}}
	for _, a := range cfg.Funded {
		alloc[a] = types.Account{Balance: rich}
	}
	sim, err := newBackend(alloc, cfg.RPCPort)
	if err != nil {
		return nil, err
	}
	c := &Chain{sim: sim, deployer: deployer, wake: make(chan struct{}, 1), stop: make(chan struct{}), log: log}
	address, _, err := batchpin.SendDeployment(bind.NewKeyedTransactor(deployer, big.NewInt(ChainID)), sim.Client())
	if err != nil {
		_ = sim.Close()
		return nil, fmt.Errorf("deploying BatchPin on the embedded chain: %w", err)
	}
	sim.Commit()
	c.address = address
	c.wg.Go(func() { c.seal(cfg.BlockInterval) })
	return c, nil
}

// newBackend starts the simulated chain. go-ethereum panics when the node
// cannot start (its RPC port is taken, say); that is an error here.
func newBackend(alloc types.GenesisAlloc, rpcPort int) (sim *simulated.Backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the embedded chain (RPC port %d): %v", rpcPort, r)
		}
	}()
	return simulated.NewBackend(alloc, func(n *node.Config, _ *ethconfig.Config) {
		if rpcPort != 0 {
			modules := []string{"eth", "net", "web3"}
			n.HTTPHost, n.HTTPPort, n.HTTPModules = "127.0.0.1", rpcPort, modules
			n.WSHost, n.WSPort, n.WSModules = "127.0.0.1", rpcPort, modules
		}
	}), nil
}

// seal commits a block when this process sent a transaction, when another
// process's transactions are waiting, and every interval.
func (c *Chain) seal(interval time.Duration) {
	every := time.NewTicker(interval)
	defer every.Stop()
	check := time.NewTicker(pendingCheck)
	defer check.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-c.wake:
			// Let sends that are racing in join this block.
			time.Sleep(coalesce)
		case <-check.C:
			n, err := c.sim.Client().PendingTransactionCount(context.Background())
			if err != nil || n == 0 {
				continue
			}
		case <-every.C:
		}
		c.Seal()
	}
}

// Seal commits a block now, whatever is waiting (tests use it to move the
// chain on).
func (c *Chain) Seal() {
	c.commit.Lock()
	defer c.commit.Unlock()
	c.sim.Commit()
}

// Address is BatchPin's address.
func (c *Chain) Address() common.Address { return c.address }

// Client is a client of the chain whose sends seal a block at once.
func (c *Chain) Client() simulated.Client { return sealingClient{Client: c.sim.Client(), wake: c.wake} }

// Close stops the chain.
func (c *Chain) Close() error {
	close(c.stop)
	c.wg.Wait()
	return c.sim.Close()
}

type sealingClient struct {
	simulated.Client
	wake chan struct{}
}

// SendTransaction sends tx and asks for a block.
func (s sealingClient) SendTransaction(ctx context.Context, tx *types.Transaction) error {
	if err := s.Client.SendTransaction(ctx, tx); err != nil {
		return err
	}
	select {
	case s.wake <- struct{}{}:
	default: // a block is coming already
	}
	return nil
}
