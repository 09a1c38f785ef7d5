package generation

import (
	"context"
	"encoding/json"
	"sync"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// Store is the read model of whichever generation serves: each call goes
// to the generation serving when it starts, which is not closed until the
// call is over. The API reads through it and never sees a swap.
func (s *Set) Store() projections.Store { return servingStore{s} }

type servingStore struct{ s *Set }

var (
	_ projections.Store       = servingStore{}
	_ projections.MultiGetter = servingStore{}
)

// Begin starts a transaction on the serving generation's read model and
// holds that generation until the transaction ends. The generation's own
// runner is its writer; this is for tools that write beside it.
func (v servingStore) Begin(ctx context.Context) (projections.Tx, error) {
	g, release, err := v.s.acquire()
	if err != nil {
		return nil, err
	}
	tx, err := g.rm.Store().Begin(ctx)
	if err != nil {
		release()
		return nil, err
	}
	return &heldTx{Tx: tx, release: release}, nil
}

func (v servingStore) Checkpoints(ctx context.Context) (map[string]event.Position, error) {
	g, release, err := v.s.acquire()
	if err != nil {
		return nil, err
	}
	defer release()
	return g.rm.Store().Checkpoints(ctx)
}

func (v servingStore) Find(ctx context.Context, t *projections.Table, ns string, q query.Query) ([]json.RawMessage, int, error) {
	g, release, err := v.s.acquire()
	if err != nil {
		return nil, 0, err
	}
	defer release()
	return g.rm.Store().Find(ctx, t, ns, q)
}

func (v servingStore) Get(ctx context.Context, t *projections.Table, ns string, key any) (json.RawMessage, bool, error) {
	g, release, err := v.s.acquire()
	if err != nil {
		return nil, false, err
	}
	defer release()
	return g.rm.Store().Get(ctx, t, ns, key)
}

// GetMany holds the serving generation for the whole read, as Get does
// for one row, and reads through its store's GetMany when it has one.
func (v servingStore) GetMany(ctx context.Context, t *projections.Table, ns string, keys []any) ([]json.RawMessage, error) {
	g, release, err := v.s.acquire()
	if err != nil {
		return nil, err
	}
	defer release()
	return projections.GetMany(ctx, g.rm.Store(), t, ns, keys)
}

func (v servingStore) Digest(ctx context.Context) (string, error) {
	g, release, err := v.s.acquire()
	if err != nil {
		return "", err
	}
	defer release()
	return g.rm.Store().Digest(ctx)
}

// Close does nothing: the Set owns the generations (Set.Close).
func (servingStore) Close() error { return nil }

// heldTx releases its generation when it ends.
type heldTx struct {
	projections.Tx
	once    sync.Once
	release func()
}

func (t *heldTx) Commit() error {
	defer t.once.Do(t.release)
	return t.Tx.Commit()
}

func (t *heldTx) Rollback() error {
	defer t.once.Do(t.release)
	return t.Tx.Rollback()
}
