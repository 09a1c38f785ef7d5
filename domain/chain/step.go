package chain

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

type snapshot struct {
	blocks []remembered
	next   uint64
}

func (f *Follower) snapshot() snapshot {
	blocks := slices.Clone(f.blocks)
	for i := range blocks {
		blocks[i].logs = slices.Clone(blocks[i].logs)
	}
	return snapshot{blocks: blocks, next: f.next}
}

func (f *Follower) restoreSnapshot(s snapshot) { f.blocks, f.next = s.blocks, s.next }

// checkReorg compares the newest processed block with the chain's block at
// its height. If it was replaced, it finds the newest remembered block the
// chain still has and removes every log observed above it, newest first,
// then checkpoints at that ancestor.
func (f *Follower) checkReorg(ctx context.Context, head Header) (*Reorg, []catalogue.Payload, error) {
	if len(f.blocks) == 0 {
		return nil, nil, nil
	}
	newest := f.blocks[len(f.blocks)-1].header
	same, err := f.canonical(ctx, newest)
	if err != nil || same {
		return nil, nil, err
	}
	r := &Reorg{From: newest.Number, BeyondConfirmations: f.cfg.Confirmations > 0}
	ancestor := -1
	for i := len(f.blocks) - 2; i >= 0; i-- {
		ok, err := f.canonical(ctx, f.blocks[i].header)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			ancestor = i
			break
		}
	}
	var events []catalogue.Payload
	for i := len(f.blocks) - 1; i > ancestor; i-- {
		logs := f.blocks[i].logs
		for j := len(logs) - 1; j >= 0; j-- {
			events = append(events, catalogue.PinRemoved{Namespace: f.cfg.Namespace, Location: logs[j], Reason: "reorg"})
			r.Removed++
		}
	}
	var a Header
	if ancestor >= 0 {
		a = f.blocks[ancestor].header
	} else {
		// Nothing remembered survived: go on from the block below the
		// oldest remembered one (or the head, if the chain is now shorter),
		// as the chain has it now. Logs observed before the window cannot be
		// checked any more.
		r.BeyondWindow = true
		below := min(f.blocks[0].header.Number, head.Number)
		below -= min(below, 1)
		if a, err = f.chain.HeaderByNumber(ctx, below); err != nil {
			return nil, nil, fmt.Errorf("header below the window: %w", err)
		}
		f.blocks = []remembered{{header: a}}
		ancestor = 0
	}
	r.Ancestor = a.Number
	f.blocks = f.blocks[:ancestor+1]
	f.next = a.Number + 1
	events = append(events, catalogue.ChainCheckpoint{Chain: f.chain.Name(), Contract: f.chain.Contract(),
		BlockNumber: a.Number, BlockHash: a.Hash})
	return r, events, nil
}

// canonical reports whether h is still the chain's block at its height.
func (f *Follower) canonical(ctx context.Context, h Header) (bool, error) {
	got, err := f.chain.HeaderByNumber(ctx, h.Number)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("header %d: %w", h.Number, err)
	}
	return got.Hash == h.Hash, nil
}

// observe emits the logs of blocks from..to and a checkpoint at to. The
// header of to is read before and after the logs: if it changed, a reorg
// raced the read and nothing is emitted (done is false; the next Step sees
// the reorg or the settled chain).
func (f *Follower) observe(ctx context.Context, from, to uint64) (events []catalogue.Payload, done bool, err error) {
	before, err := f.chain.HeaderByNumber(ctx, to)
	if err != nil {
		return nil, false, fmt.Errorf("header %d: %w", to, err)
	}
	logs, err := f.chain.Logs(ctx, from, to)
	if err != nil {
		return nil, false, fmt.Errorf("logs %d..%d: %w", from, to, err)
	}
	after, err := f.chain.HeaderByNumber(ctx, to)
	if err != nil {
		return nil, false, fmt.Errorf("header %d: %w", to, err)
	}
	if before.Hash != after.Hash {
		return nil, false, nil
	}
	if err := checkLogs(logs, from, to, after); err != nil {
		return nil, false, err
	}
	for _, l := range logs {
		loc := catalogue.ChainLocation{Chain: f.chain.Name(), Contract: f.chain.Contract(), BlockNumber: l.BlockNumber,
			BlockHash: l.BlockHash, TxHash: l.TxHash, TxIndex: l.TxIndex, LogIndex: l.LogIndex}
		events = append(events, catalogue.PinObserved{Namespace: f.cfg.Namespace, Location: loc, Signer: l.Signer,
			TxID: l.TxID, BatchID: l.BatchID, BatchHash: l.BatchHash, PayloadRef: l.PayloadRef,
			Contexts: slices.Clone(l.Contexts), Timestamp: l.Timestamp})
		b := f.remember(Header{Number: l.BlockNumber, Hash: l.BlockHash})
		b.logs = append(b.logs, loc)
	}
	f.remember(after)
	f.next = to + 1
	f.prune()
	events = append(events, catalogue.ChainCheckpoint{Chain: f.chain.Name(), Contract: f.chain.Contract(),
		BlockNumber: after.Number, BlockHash: after.Hash})
	return events, true, nil
}

// checkLogs rejects an answer the follower cannot trust: logs out of the
// range or out of order, or a log of block to whose hash is not to's.
func checkLogs(logs []Log, from, to uint64, last Header) error {
	for i, l := range logs {
		if l.BlockNumber < from || l.BlockNumber > to {
			return fmt.Errorf("log in block %d outside the range %d..%d asked for", l.BlockNumber, from, to)
		}
		if l.BlockNumber == to && l.BlockHash != last.Hash {
			return fmt.Errorf("log in block %d has block hash %s, the block is %s", to, l.BlockHash, last.Hash)
		}
		if i > 0 {
			p := logs[i-1]
			prev := catalogue.ChainLocation{BlockNumber: p.BlockNumber, TxIndex: p.TxIndex, LogIndex: p.LogIndex}
			cur := catalogue.ChainLocation{BlockNumber: l.BlockNumber, TxIndex: l.TxIndex, LogIndex: l.LogIndex}
			if !prev.Less(cur) {
				return fmt.Errorf("logs out of chain order at block %d tx %d log %d", l.BlockNumber, l.TxIndex, l.LogIndex)
			}
		}
	}
	return nil
}
