package bleve

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

// Index is the Bleve search index of one node. It implements search.Index.
type Index struct {
	cfg Config
	// mu guards closed: operations hold it shared and Close exclusively,
	// so Close waits for the operations in flight.
	mu     sync.RWMutex
	closed bool
	idx    bleve.Index
}

var _ search.Index = (*Index)(nil)

// Open opens the index in dir, creating dir and the index if missing. Only
// one process may have it open: another waits up to cfg.OpenTimeout for the
// lock, then fails.
func Open(dir string, cfg Config) (*Index, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("bleve search config: %w", err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("bleve search: %w", err)
	}
	path := filepath.Join(dir, "bleve-v"+strconv.Itoa(MappingVersion))
	if err := removeOlderVersions(dir); err != nil {
		return nil, fmt.Errorf("bleve search: %w", err)
	}
	runtime := map[string]any{"bolt_timeout": cfg.OpenTimeout.String()}
	idx, err := bleve.OpenUsing(path, runtime)
	if errors.Is(err, bleve.ErrorIndexPathDoesNotExist) {
		m, merr := newMapping()
		if merr != nil {
			return nil, fmt.Errorf("bleve search mapping: %w", merr)
		}
		idx, err = bleve.NewUsing(path, m, scorch.Name, scorch.Name, runtime)
	}
	if err != nil {
		return nil, fmt.Errorf("bleve search: open %s: %w", path, err)
	}
	return &Index{cfg: cfg, idx: idx}, nil
}

// removeOlderVersions deletes the index directories of earlier mapping
// versions in dir: this version fills its own from the event store, and
// nothing reads theirs again. Newer versions (a binary rolled back) are
// left alone.
func removeOlderVersions(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		v, ok := strings.CutPrefix(e.Name(), "bleve-v")
		n, err := strconv.Atoi(v)
		if !ok || err != nil || !e.IsDir() || n >= MappingVersion {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("removing the index of mapping version %d: %w", n, err)
		}
	}
	return nil
}

// Index implements search.Index: documents are written in batches of at
// most Config.BatchSize, each searchable when written.
func (x *Index) Index(ctx context.Context, docs ...search.Document) error {
	docs, err := search.PrepareBatch(docs)
	if err != nil {
		return err
	}
	return x.write(ctx, len(docs), func(b *bleve.Batch, i int) error {
		return b.Index(docs[i].Key(), source(docs[i]))
	}, nil)
}

// IndexWithCheckpoint implements search.CheckpointingIndex: the
// checkpoint is an internal value of the last Bleve batch, which scorch
// applies and persists atomically, so it saves SetCheckpoint's batch of
// its own (a snapshot for the persister to write).
func (x *Index) IndexWithCheckpoint(ctx context.Context, name string, pos uint64, docs ...search.Document) error {
	if err := search.ValidateCheckpointName(name); err != nil {
		return err
	}
	docs, err := search.PrepareBatch(docs)
	if err != nil {
		return err
	}
	return x.write(ctx, len(docs), func(b *bleve.Batch, i int) error {
		return b.Index(docs[i].Key(), source(docs[i]))
	}, func(b *bleve.Batch) { b.SetInternal(checkpointKey(name), checkpointValue(pos)) })
}

// Delete implements search.Index.
func (x *Index) Delete(ctx context.Context, ns string, kind search.Kind, ids ...string) error {
	keys, err := keys(ns, kind, ids)
	if err != nil {
		return err
	}
	return x.write(ctx, len(keys), func(b *bleve.Batch, i int) error {
		b.Delete(keys[i])
		return nil
	}, nil)
}

func keys(ns string, kind search.Kind, ids []string) ([]string, error) {
	if err := search.ValidateNamespace(ns); err != nil {
		return nil, err
	}
	if !kind.Valid() {
		return nil, fmt.Errorf("%w: kind %q", search.ErrInvalidDocument, kind)
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		c, err := search.CanonicalID(id)
		if err != nil {
			return nil, err
		}
		out[i] = search.Key(ns, kind, c)
	}
	return out, nil
}

// write adds n operations to batches of at most BatchSize and applies
// each; finish, if not nil, adds to the last batch (written even when n is
// 0).
func (x *Index) write(ctx context.Context, n int, add func(b *bleve.Batch, i int) error, finish func(b *bleve.Batch)) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return search.ErrClosed
	}
	for start := 0; start < n || start == 0 && finish != nil; start += x.cfg.BatchSize {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("bleve search: %w", err)
		}
		b := x.idx.NewBatch()
		end := min(n, start+x.cfg.BatchSize)
		for i := start; i < end; i++ {
			if err := add(b, i); err != nil {
				return fmt.Errorf("bleve search: %w", err)
			}
		}
		if end == n && finish != nil {
			finish(b)
		}
		if err := x.idx.Batch(b); err != nil {
			return fmt.Errorf("bleve search: write batch: %w", err)
		}
	}
	return nil
}

// Flush implements search.Index. A Bleve batch is searchable once written,
// so there is nothing to wait for.
func (x *Index) Flush(ctx context.Context) error {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if x.closed {
		return search.ErrClosed
	}
	return ctx.Err()
}

// Close implements search.Index: it waits for the calls in flight and for
// Bleve to persist what was written.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.closed {
		return nil
	}
	x.closed = true
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("bleve search: close: %w", err)
	}
	return nil
}
