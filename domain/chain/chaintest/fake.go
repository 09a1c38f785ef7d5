// Package chaintest holds a fake chain for tests of the chain follower and
// of what consumes its events. Adapters are tested against real chains.
package chaintest

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Fake is an in-memory chain for tests of what reads a chain: blocks with
// hashes that change when a fork replaces them, and BatchPin logs. It is
// safe for concurrent use.
type Fake struct {
	mu     sync.Mutex
	blocks []fakeBlock // index = block number
	fork   int         // bumps hashes of blocks made after a fork
	down   bool
	txs    map[string]chain.TxStatus // set by SetTxStatus
	// OnHeader, if set, runs on every HeaderByNumber (to race a reorg).
	OnHeader func(n uint64)
}

type fakeBlock struct {
	hash string
	logs []chain.Log
}

// New returns a chain holding only its genesis block.
func New() *Fake {
	c := &Fake{}
	c.blocks = append(c.blocks, fakeBlock{hash: c.hashOf(0)})
	return c
}

func (c *Fake) hashOf(n int) string { return fmt.Sprintf("0x%060x%04x", n, c.fork) }

// Mine adds a block with one log per batch id given and returns its number.
func (c *Fake) Mine(batches ...uuid.UUID) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := len(c.blocks)
	b := fakeBlock{hash: c.hashOf(n)}
	for i, id := range batches {
		b.logs = append(b.logs, chain.Log{BlockNumber: uint64(n), BlockHash: b.hash, TxHash: fmt.Sprintf("0x%064x", n*100+i),
			TxIndex: uint32(i), LogIndex: uint32(i), Signer: Key, TxID: uuid.New(), BatchID: id,
			BatchHash: protocol.SHA256(id[:]), Contexts: []protocol.Hash{protocol.SHA256([]byte("ctx"))}})
	}
	c.blocks = append(c.blocks, b)
	return uint64(n)
}

// Reorg drops the newest depth blocks; blocks mined next get new hashes.
func (c *Fake) Reorg(depth int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.blocks = c.blocks[:len(c.blocks)-depth]
	c.fork++
}

// SetDown makes every call fail as if the node were unreachable.
func (c *Fake) SetDown(down bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.down = down
}

// ErrDown is what calls return while the chain is down.
var ErrDown = errors.New("connection refused")

// Name implements chain.Chain.
func (c *Fake) Name() string { return "ethereum:1337" }

// Contract implements chain.Chain.
func (c *Fake) Contract() string { return "0x5fbdb2315678afecb367f032d93f642f64180aa3" }

// Head implements chain.Chain.
func (c *Fake) Head(context.Context) (chain.Header, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return chain.Header{}, ErrDown
	}
	n := len(c.blocks) - 1
	return chain.Header{Number: uint64(n), Hash: c.blocks[n].hash}, nil
}

// HeaderByNumber implements chain.Chain.
func (c *Fake) HeaderByNumber(_ context.Context, n uint64) (chain.Header, error) {
	if c.OnHeader != nil {
		c.OnHeader(n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return chain.Header{}, ErrDown
	}
	if n >= uint64(len(c.blocks)) {
		return chain.Header{}, chain.ErrNotFound
	}
	return chain.Header{Number: n, Hash: c.blocks[n].hash}, nil
}

// Logs implements chain.Chain.
func (c *Fake) Logs(_ context.Context, from, to uint64) ([]chain.Log, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return nil, ErrDown
	}
	var out []chain.Log
	for n := from; n <= to && n < uint64(len(c.blocks)); n++ {
		out = append(out, c.blocks[n].logs...)
	}
	return out, nil
}

// SetTxStatus makes TxStatus report status for txHash while no block of
// the chain holds a log of it (a pending, reverted or lost transaction).
func (c *Fake) SetTxStatus(txHash string, status chain.TxStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.txs == nil {
		c.txs = map[string]chain.TxStatus{}
	}
	c.txs[txHash] = status
}

// TxStatus implements chain.Receipts: a transaction with a log in a block of
// the chain is mined in that block (a reorg that drops the block makes it
// unknown again), one given to SetTxStatus has that status, any other is
// unknown.
func (c *Fake) TxStatus(_ context.Context, txHash string) (chain.TxStatus, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.down {
		return chain.TxStatus{}, ErrDown
	}
	for n, b := range c.blocks {
		for _, l := range b.logs {
			if l.TxHash == txHash {
				return chain.TxStatus{State: chain.TxMined, BlockNumber: uint64(n)}, nil
			}
		}
	}
	return c.txs[txHash], nil
}

var _ chain.Receipts = (*Fake)(nil)

// Key signs every log of the fake chain.
var Key = func() protocol.SigningKey {
	k, err := protocol.ParseSigningKey("0x00112233445566778899aabbccddeeff00112233")
	if err != nil {
		panic(err)
	}
	return k
}()
