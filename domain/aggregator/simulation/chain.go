package simulation

import (
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// The chain every history runs on.
const (
	ChainName = "ethereum:1337"
	Contract  = "0x5fbdb2315678afecb367f032d93f642f64180aa3"
)

// logSpec is one BatchPin transaction. Its pin values are only known once the
// final chain is: an honest author's nonces count its pins on that chain.
type logSpec struct {
	batch  *Batch
	signer protocol.SigningKey
	// nonceOffset, when set, makes every nonce of the log wrong by that much.
	nonceOffset uint64
	loc         catalogue.ChainLocation
	dropped     bool
	pins        []protocol.Hash
}

type chainEventKind int

const (
	evObserved chainEventKind = iota
	evRemoved
	evCheckpoint
)

type chainEvent struct {
	kind     chainEventKind
	spec     *logSpec
	loc      catalogue.ChainLocation
	head     uint64
	headHash string
}

type block struct {
	number uint64
	logs   []*logSpec
}

// chainBuilder mines queued logs into blocks, reorganises the newest blocks
// and records the connector's events.
type chainBuilder struct {
	b         *builder
	queue     []*logSpec
	blocks    []block // canonical blocks that hold logs, in order
	events    []chainEvent
	specs     []*logSpec
	nextBlock uint64
	tip       uint64
	tipHash   string
}

// pin queues a BatchPin of bt signed by its author's key.
func (c *chainBuilder) pin(bt *Batch) *logSpec {
	s := &logSpec{batch: bt, signer: c.b.h.Orgs[bt.Author].Key}
	c.queue = append(c.queue, s)
	c.specs = append(c.specs, s)
	return s
}

// mine puts up to n queued logs into one new block (an empty block if the
// queue is empty).
func (c *chainBuilder) mine(n int) {
	rng := c.b.rng
	number := c.nextBlock
	c.nextBlock += 1 + uint64(rng.Intn(2))
	hash := c.b.chainHash()
	c.tip, c.tipHash = number, hash
	n = min(n, len(c.queue))
	if n == 0 {
		return
	}
	blk := block{number: number}
	tx, logIndex := uint32(rng.Intn(3)), uint32(rng.Intn(3))
	for _, s := range c.queue[:n] {
		s.loc = catalogue.ChainLocation{Chain: ChainName, Contract: Contract, BlockNumber: number, BlockHash: hash,
			TxHash: c.b.chainHash(), TxIndex: tx, LogIndex: logIndex}
		tx += 1 + uint32(rng.Intn(3))
		logIndex += 1 + uint32(rng.Intn(2))
		blk.logs = append(blk.logs, s)
		c.events = append(c.events, chainEvent{kind: evObserved, spec: s, loc: s.loc})
	}
	c.queue = c.queue[n:]
	c.blocks = append(c.blocks, blk)
}

// checkpoint reports the newest mined block as the chain head.
func (c *chainBuilder) checkpoint(extra uint64) {
	if c.tipHash == "" {
		return
	}
	head, hash := c.tip, c.tipHash
	if extra > 0 {
		head += extra
		hash = c.b.chainHash()
		c.nextBlock = max(c.nextBlock, head+1)
	}
	c.events = append(c.events, chainEvent{kind: evCheckpoint, head: head, headHash: hash})
}

// reorg orphans the newest depth blocks that hold logs: PinRemoved for each
// of their logs, newest first. A log is dropped for good when drop says so;
// the others go back to the front of the queue in their order.
func (c *chainBuilder) reorg(depth int, drop func(*logSpec) bool) {
	depth = min(depth, len(c.blocks))
	if depth == 0 {
		return
	}
	orphaned := c.blocks[len(c.blocks)-depth:]
	c.blocks = c.blocks[:len(c.blocks)-depth]
	var logs []*logSpec
	for _, blk := range orphaned {
		logs = append(logs, blk.logs...)
	}
	for i := len(logs) - 1; i >= 0; i-- {
		c.events = append(c.events, chainEvent{kind: evRemoved, spec: logs[i], loc: logs[i].loc})
	}
	var back []*logSpec
	for _, s := range logs {
		if drop(s) {
			s.dropped = true
			continue
		}
		back = append(back, s)
	}
	c.queue = append(back, c.queue...)
	c.b.h.stats["reorgs"]++
	c.b.h.stats["reorged-logs"] += len(logs)
	c.b.h.stats["dropped-logs"] += len(logs) - len(back)
}

type nonceKey struct {
	context protocol.Hash
	author  protocol.OrgDID
}

// pinsOf computes a log's pins, drawing nonces from counts.
func pinsOf(s *logSpec, counts map[nonceKey]uint64) []protocol.Hash {
	src := protocol.NonceSourceFunc(func(ctx protocol.Hash, author protocol.OrgDID) (uint64, error) {
		k := nonceKey{ctx, author}
		if s.nonceOffset > 0 {
			return counts[k] + s.nonceOffset, nil
		}
		counts[k]++
		return counts[k] - 1, nil
	})
	return protocol.PinHashes(must(protocol.BatchPins(s.batch.Manifest, src)))
}

// finish mines what is queued, reports a head extra blocks past the tip, and
// turns the recorded events into payloads.
func (c *chainBuilder) finish(extra uint64) {
	for len(c.queue) > 0 {
		c.mine(1 + c.b.rng.Intn(4))
	}
	c.checkpoint(extra)
	var final []*logSpec
	for _, blk := range c.blocks {
		final = append(final, blk.logs...)
	}
	counts := map[nonceKey]uint64{}
	for _, s := range final {
		s.pins = pinsOf(s, counts)
		c.b.h.pinned[s.batch.ID()] = true
	}
	for _, s := range c.specs {
		if !s.dropped {
			continue
		}
		before := map[nonceKey]uint64{}
		for _, f := range final {
			if f.loc.Less(s.loc) {
				pinsOf(f, before)
			}
		}
		s.pins = pinsOf(s, before)
	}
	c.materialize()
}

func (c *chainBuilder) materialize() {
	h := c.b.h
	ns := h.Config.Namespace
	for _, ev := range c.events {
		switch ev.kind {
		case evObserved:
			m := ev.spec.batch.Manifest
			if _, seen := h.anchor[m.ID()]; !seen {
				h.anchor[m.ID()] = len(h.Chain)
			}
			p := catalogue.PinObserved{Namespace: ns, Location: ev.loc, Signer: ev.spec.signer, TxID: m.TxID(),
				BatchID: m.ID(), BatchHash: m.Hash(), Contexts: ev.spec.pins, Timestamp: 1767323045 + 12*ev.loc.BlockNumber}
			if _, private := m.Group(); !private {
				p.PayloadRef = payloadRef(m)
			}
			h.Chain = append(h.Chain, p)
		case evRemoved:
			h.Chain = append(h.Chain, catalogue.PinRemoved{Namespace: ns, Location: ev.loc, Reason: "reorg"})
		case evCheckpoint:
			h.Chain = append(h.Chain, catalogue.ChainCheckpoint{Chain: ChainName, Contract: Contract,
				BlockNumber: ev.head, BlockHash: ev.headHash})
		}
	}
}
