// Package embedded runs go-ethereum's simulated chain inside the process as
// the node's default chain: BatchPin is deployed at start, a block is sealed
// as soon as transactions are waiting (a pin is mined within milliseconds)
// and on a timer otherwise, and the chain can be exposed on a loopback
// JSON-RPC port so other processes share it.
//
// Without a data directory the chain lives in memory and is gone when the
// process stops. With one (Config.DataDir) it lives there, and a later Start
// on the directory resumes the same chain: same genesis, blocks, BatchPin
// address and balances. Every block a client has seen survives the process
// being killed: the chain is kept in LevelDB, which hands each write to the
// operating system before returning, with every block's state written with
// the block (hash scheme, archive mode), so a restart never has to rewind.
// A machine crash may still lose the newest blocks.
//
// The genesis funds only a faucet, whose key is kept in the directory;
// members' accounts are funded from it at Start (Config.Funded) or later
// (Chain.Fund), so the set of members may change between runs.
package embedded

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/rs/zerolog"
)

// ErrInvalidConfig wraps every Config.Validate failure.
var ErrInvalidConfig = errors.New("invalid embedded chain config")

// Config configures the embedded chain.
type Config struct {
	// DataDir keeps the chain in this directory, created if missing, so it
	// outlives the process; empty keeps it in memory. One process at a time
	// may use a directory.
	DataDir string `yaml:"dataDir"`
	// RPCPort exposes the chain's JSON-RPC (HTTP and WebSocket on one port)
	// on 127.0.0.1; 0 keeps it in-process only.
	RPCPort int `yaml:"rpcPort"`
	// BlockInterval seals a block even when nothing is waiting, so time
	// moves on chain. Default 1 s.
	BlockInterval time.Duration `yaml:"blockInterval"`
	// Funded are accounts (members' signing keys) the faucet funds at
	// Start when their balance is low.
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

// startTimeout bounds the deployment and funding at Start.
const startTimeout = time.Minute

// Chain is a running embedded chain.
type Chain struct {
	backend *backend
	client  simulated.Client
	address common.Address
	faucet  *ecdsa.PrivateKey
	// faucetMu keeps the faucet's transactions in nonce order.
	faucetMu sync.Mutex
	// nextNonce is the faucet's next nonce as counted here (faucetNonce),
	// under faucetMu; nil until the first send.
	nextNonce *uint64
	wake      chan struct{}
	stop      chan struct{}
	// commit serialises sealing: the simulated beacon's Commit is not
	// meant to run twice at once.
	commit sync.Mutex
	// closed is set under commit once the node is stopped.
	closed    bool
	wg        sync.WaitGroup
	closeOnce sync.Once
	closeErr  error
	log       zerolog.Logger

	dataDir string
	// contracts maps namespaces to their BatchPin (ContractFor), under
	// faucetMu; persisted in dataDir/contracts.json.
	contracts map[string]common.Address
}

// Start starts the chain, or resumes the one in cfg.DataDir, makes sure
// BatchPin is deployed and funds cfg.Funded.
func Start(cfg Config, log zerolog.Logger) (*Chain, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.DataDir != "" {
		dir, err := filepath.Abs(cfg.DataDir)
		if err != nil {
			return nil, fmt.Errorf("%w: dataDir: %w", ErrInvalidConfig, err)
		}
		cfg.DataDir = dir
	}
	faucet, err := loadFaucet(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	faucetAddress := crypto.PubkeyToAddress(faucet.PublicKey)
	b, err := startBackend(cfg.DataDir, cfg.RPCPort, faucetAddress)
	if err != nil {
		return nil, err
	}
	c := &Chain{backend: b, client: b.client, address: crypto.CreateAddress(faucetAddress, 0), faucet: faucet,
		wake: make(chan struct{}, 1), stop: make(chan struct{}), log: log, dataDir: cfg.DataDir}
	if c.contracts, err = loadContracts(cfg.DataDir); err != nil {
		return nil, errors.Join(err, b.close())
	}
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if err := c.prepare(ctx, cfg.Funded); err != nil {
		return nil, errors.Join(err, b.close())
	}
	if head, err := c.client.HeaderByNumber(ctx, nil); err == nil {
		log.Info().Str("dataDir", cfg.DataDir).Uint64("head", head.Number.Uint64()).Str("batchPin", c.address.Hex()).
			Int("funded", len(cfg.Funded)).Msg("embedded chain started")
	}
	c.wg.Go(func() { c.seal(cfg.BlockInterval) })
	return c, nil
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
			n, err := c.client.PendingTransactionCount(context.Background())
			if err != nil || n == 0 {
				continue
			}
		case <-every.C:
		}
		c.Seal()
	}
}

// Seal commits a block now, whatever is waiting (tests use it to move the
// chain on). It does nothing once the chain is closed.
func (c *Chain) Seal() {
	c.commit.Lock()
	defer c.commit.Unlock()
	if !c.closed {
		c.backend.beacon.Commit()
	}
}

// Address is BatchPin's address.
func (c *Chain) Address() common.Address { return c.address }

// Client is a client of the chain whose sends seal a block at once.
func (c *Chain) Client() simulated.Client { return sealingClient{Client: c.client, wake: c.wake} }

// Close stops the chain; with a data directory, everything is on disk when
// it returns and the directory can be started again. Calling it again
// returns the first call's result.
func (c *Chain) Close() error {
	c.closeOnce.Do(func() {
		close(c.stop)
		c.wg.Wait()
		c.commit.Lock()
		defer c.commit.Unlock()
		c.closed = true
		c.closeErr = c.backend.close()
	})
	return c.closeErr
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
