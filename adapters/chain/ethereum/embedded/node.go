package embedded

import (
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/catalyst"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/ethdb/leveldb"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// faucetBalance is the faucet's balance at genesis: enough for any number
// of grants.
var faucetBalance = new(big.Int).Lsh(big.NewInt(1), 200)

// instanceName names the node's folder inside the data directory, as geth
// does (DIR/geth/chaindata), so geth's own tools can open it. It is fixed:
// go-ethereum otherwise takes the executable's name, which would give a test
// binary and the CLI different chains in one directory.
const instanceName = "geth"

// backend is go-ethereum's stack as the simulated backend assembles it, with
// the chain in a data directory when one is given.
type backend struct {
	stack  *node.Node
	beacon *catalyst.SimulatedBeacon
	client *ethclient.Client
}

// startBackend starts the node. On a data directory that already holds a
// chain it resumes that chain as it is on disk: the genesis is read from
// there (so a go-ethereum upgrade that changes the dev chain's defaults
// does not make it "incompatible"), and, unlike the simulated backend, the
// head is not forked back to genesis. go-ethereum panics in places when the
// node cannot start; that is an error here.
func startBackend(dataDir string, rpcPort int, faucet common.Address) (b *backend, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting the embedded chain (RPC port %d): %v", rpcPort, r)
		}
	}()
	nodeConf := node.DefaultConfig
	nodeConf.Name = instanceName
	nodeConf.DataDir = dataDir
	nodeConf.P2P = p2p.Config{NoDiscovery: true}
	// No IPC socket: it would go to os.TempDir() (shared by every chain on
	// the machine) or to the data directory (where a long path breaks it).
	nodeConf.IPCPath = ""
	if rpcPort != 0 {
		modules := []string{"eth", "net", "web3"}
		nodeConf.HTTPHost, nodeConf.HTTPPort, nodeConf.HTTPModules = "127.0.0.1", rpcPort, modules
		nodeConf.WSHost, nodeConf.WSPort, nodeConf.WSModules = "127.0.0.1", rpcPort, modules
	}
	ethConf := ethconfig.Defaults
	ethConf.SyncMode = ethconfig.FullSync
	ethConf.TxPool.NoLocals = true
	// Logs are searched block by block, without an index to keep or repair.
	ethConf.LogNoHistory = true
	ethConf.Genesis = genesis(faucet)
	if dataDir != "" {
		durable(&nodeConf, &ethConf)
	}
	stack, err := node.New(&nodeConf)
	if err != nil {
		return nil, fmt.Errorf("starting the embedded chain: %w", err)
	}
	if dataDir != "" {
		stored, err := storedChain(stack.ResolvePath("chaindata"))
		if err != nil {
			return nil, errors.Join(fmt.Errorf("reading the embedded chain in %s: %w", dataDir, err), stack.Close())
		}
		if stored {
			ethConf.Genesis = nil
		}
	}
	b, err = startStack(stack, &ethConf)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("starting the embedded chain (RPC port %d): %w", rpcPort, err), stack.Close())
	}
	return b, nil
}

// durable makes every block whose receipt a client can see survive the
// process being killed. go-ethereum's defaults keep recent state in memory
// and write it out at a clean shutdown: the path scheme keeps the last 128
// blocks' state in memory, the hash scheme without archive mode flushes
// tries now and then, and after a kill -9 either rewinds the head to the
// newest state on disk, deleting the blocks above. In archive mode the hash
// scheme writes every block's state with the block, before the block
// becomes the head. Pebble, the default database, keeps up to 32 KB of
// recent writes in the process until a sync or a full buffer, so a killed
// process loses the newest blocks even when all was "written"; LevelDB
// hands every write to the operating system before returning (go-ethereum
// relies on this: its LevelDB SyncKeyValue does nothing), so what a client
// saw is in the kernel and survives the process. A machine crash or power
// cut can still lose the newest blocks: the embedded chain is for
// development, and a lost block only looks like a reorg to the followers.
func durable(nodeConf *node.Config, ethConf *ethconfig.Config) {
	nodeConf.DBEngine = rawdb.DBLeveldb
	ethConf.StateScheme = rawdb.HashScheme
	ethConf.NoPruning = true
	// The state snapshot is an acceleration structure kept partly in memory
	// and rebuilt after a crash; a small chain does without it.
	ethConf.SnapshotCache = 0
	// go-ethereum sizes caches for mainnet (gigabytes). A dev chain's state
	// is a funded account or two and the contract; LevelDB's share of
	// DatabaseCache is mostly its write buffer (a quarter), held in the Go
	// heap: 64 MB kept a 20 MB memtable alive in `dev`.
	ethConf.DatabaseCache = 16
	ethConf.TrieCleanCache = 16
	ethConf.TrieDirtyCache = 0
}

// genesis is the chain's first block: go-ethereum's simulated chain (every
// fork active, its gas limit, the system contracts the forks call) with
// only the faucet funded, so it does not depend on who the members are.
func genesis(faucet common.Address) *core.Genesis {
	alloc := core.SystemContractAllocs()
	alloc[faucet] = types.Account{Balance: faucetBalance}
	return &core.Genesis{Config: params.AllDevChainProtocolChanges, GasLimit: ethconfig.Defaults.Miner.GasCeil, Alloc: alloc}
}

// storedChain reports whether the chain database at path holds a chain:
// its genesis was committed (with the head markers, in one batch).
func storedChain(path string) (bool, error) {
	if rawdb.PreexistingDatabase(path) != rawdb.DBLeveldb {
		return false, nil // none yet, or one the node will refuse
	}
	db, err := leveldb.New(path, 0, 0, "", true)
	if err != nil {
		return false, err
	}
	defer func() { _ = db.Close() }()
	return rawdb.ReadHeadHeaderHash(db) != (common.Hash{}), nil
}

// startStack registers the Ethereum service and the log filters on stack,
// starts it and puts the simulated beacon in charge of blocks, as the
// simulated backend's newWithNode does.
func startStack(stack *node.Node, ethConf *ethconfig.Config) (*backend, error) {
	eth, err := eth.New(stack, ethConf)
	if err != nil {
		return nil, err
	}
	filterSystem := filters.NewFilterSystem(eth.APIBackend, filters.Config{})
	stack.RegisterAPIs([]rpc.API{{Namespace: "eth", Service: filters.NewFilterAPI(filterSystem)}})
	if err := stack.Start(); err != nil {
		return nil, err
	}
	// Period 0: no block of its own; the seal loop calls Commit.
	beacon, err := catalyst.NewSimulatedBeacon(0, common.Address{}, eth)
	if err != nil {
		return nil, err
	}
	return &backend{stack: stack, beacon: beacon, client: ethclient.NewClient(stack.Attach())}, nil
}

// close stops the node; the node closes its databases, which writes out
// what they buffer.
func (b *backend) close() error {
	b.client.Close()
	return errors.Join(b.beacon.Stop(), b.stack.Close())
}
