package bleve

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// checkpointPrefix starts the internal keys of checkpoints. Bleve's
// internal key space is apart from documents: a checkpoint is never a hit.
const checkpointPrefix = "lm/checkpoint/"

// Checkpoint implements search.Index.
func (x *Index) Checkpoint(ctx context.Context, name string) (uint64, error) {
	if err := search.ValidateCheckpointName(name); err != nil {
		return 0, err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return 0, search.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("bleve search: %w", err)
	}
	v, err := x.idx.GetInternal(checkpointKey(name))
	switch {
	case err != nil:
		return 0, fmt.Errorf("bleve search: reading checkpoint %s: %w", name, err)
	case v == nil:
		return 0, nil
	case len(v) != 8:
		return 0, fmt.Errorf("bleve search: checkpoint %s: %d bytes stored, want 8", name, len(v))
	}
	return binary.BigEndian.Uint64(v), nil
}

// SetCheckpoint implements search.Index. Bleve applies SetInternal as a
// batch of its own, after the batches written before it, and scorch
// persists batches in the order they were applied: a checkpoint that
// survives a crash has its documents with it.
func (x *Index) SetCheckpoint(ctx context.Context, name string, pos uint64) error {
	if err := search.ValidateCheckpointName(name); err != nil {
		return err
	}
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return search.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("bleve search: %w", err)
	}
	if err := x.idx.SetInternal(checkpointKey(name), checkpointValue(pos)); err != nil {
		return fmt.Errorf("bleve search: writing checkpoint %s: %w", name, err)
	}
	return nil
}

// checkpointKey is the internal key of checkpoint name.
func checkpointKey(name string) []byte { return []byte(checkpointPrefix + name) }

// checkpointValue is how a position is stored: 8 bytes, big-endian.
func checkpointValue(pos uint64) []byte { return binary.BigEndian.AppendUint64(nil, pos) }
