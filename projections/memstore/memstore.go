// Package memstore is an in-memory read model: the reference the SQL
// adapters are compared with, and the store of projector unit tests. It
// keeps everything in maps guarded by one lock; a transaction works on a
// copy of what it touches and replaces it on commit.
package memstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

type entry struct {
	row query.Row
	doc json.RawMessage
}

// Store implements projections.Store in memory.
type Store struct {
	mu          sync.Mutex
	tables      map[string]map[string]entry // table -> namespace\x00key -> entry
	checkpoints map[string]event.Position
	closed      bool
	// writer admits one transaction at a time (a channel, so Begin can
	// give up when its context ends).
	writer chan struct{}
}

// ErrClosed is returned after Close and by a transaction that has ended.
var ErrClosed = errors.New("memstore: closed or ended")

// New returns an empty store.
func New() *Store {
	return &Store{tables: map[string]map[string]entry{}, checkpoints: map[string]event.Position{}, writer: make(chan struct{}, 1)}
}

func (s *Store) open() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	return nil
}

// rowKey identifies a row; keys are normalised so a uuid.UUID finds the row
// stored under a [16]byte.
func rowKey(ns string, key any) string {
	if v, ok := query.Normalize(key); ok {
		key = v
	}
	return ns + "\x00" + fmt.Sprint(key)
}

// Begin implements projections.Store; one transaction at a time.
func (s *Store) Begin(ctx context.Context) (projections.Tx, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	select {
	case s.writer <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &tx{s: s, puts: map[string]map[string]entry{}, cps: map[string]event.Position{}}, nil
}

// Checkpoints implements projections.Store.
func (s *Store) Checkpoints(context.Context) (map[string]event.Position, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]event.Position, len(s.checkpoints))
	for k, v := range s.checkpoints {
		out[k] = v
	}
	return out, nil
}

// Find implements projections.Store with query's reference semantics.
func (s *Store) Find(_ context.Context, t *projections.Table, ns string, q query.Query) ([]json.RawMessage, int, error) {
	if err := s.open(); err != nil {
		return nil, 0, err
	}
	s.mu.Lock()
	var rows []query.Row
	byKey := map[string]json.RawMessage{}
	for _, e := range s.tables[t.Name()] {
		if e.row[projections.NamespaceField] != ns {
			continue
		}
		rows = append(rows, e.row)
		byKey[rowKey(ns, e.row[t.Key()])] = e.doc
	}
	s.mu.Unlock()
	page, total := q.Apply(rows)
	out := make([]json.RawMessage, len(page))
	for i, r := range page {
		out[i] = byKey[rowKey(ns, r[t.Key()])]
	}
	if !q.Count {
		total = 0
	}
	return out, total, nil
}

// Get implements projections.Store.
func (s *Store) Get(_ context.Context, t *projections.Table, ns string, key any) (json.RawMessage, bool, error) {
	if err := s.open(); err != nil {
		return nil, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	e, ok := s.tables[t.Name()][rowKey(ns, key)]
	return e.doc, ok, nil
}

// Digest implements projections.Store: every row (as JSON) and document in
// table and key order, then the checkpoints.
func (s *Store) Digest(context.Context) (string, error) {
	if err := s.open(); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := sha256.New()
	names := make([]string, 0, len(s.tables))
	for n := range s.tables {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		keys := make([]string, 0, len(s.tables[n]))
		for k := range s.tables[n] {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			e := s.tables[n][k]
			row, err := json.Marshal(canonicalRow(e.row))
			if err != nil {
				return "", err
			}
			fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\n", n, k, row, e.doc)
		}
	}
	cps := make([]string, 0, len(s.checkpoints))
	for k, v := range s.checkpoints {
		cps = append(cps, fmt.Sprintf("%s=%d", k, v))
	}
	slices.Sort(cps)
	for _, c := range cps {
		fmt.Fprintln(h, c)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// canonicalRow is a row as the digest sees it: values only (a nil and a
// missing column are both NULL), in their normal Go types (times in UTC).
func canonicalRow(row query.Row) map[string]any {
	out := make(map[string]any, len(row))
	for k, v := range row {
		if n, ok := query.Normalize(v); ok {
			out[k] = n
		}
	}
	return out
}

// Close implements projections.Store.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return nil
}

type tx struct {
	s    *Store
	puts map[string]map[string]entry
	cps  map[string]event.Position
	done bool
}

func (t *tx) Put(tb *projections.Table, row query.Row, doc json.RawMessage) error {
	if t.done {
		return ErrClosed
	}
	if !json.Valid(doc) {
		return fmt.Errorf("%w: %s: the document is not JSON", projections.ErrInvalidRow, tb.Name())
	}
	if err := tb.Collection().CheckRow(row); err != nil {
		return fmt.Errorf("%w: %s: %w", projections.ErrInvalidRow, tb.Name(), err)
	}
	ns, ok := row[projections.NamespaceField].(string)
	if !ok || ns == "" || row[tb.Key()] == nil {
		return fmt.Errorf("%w: %s: missing namespace or key", projections.ErrInvalidRow, tb.Name())
	}
	if t.puts[tb.Name()] == nil {
		t.puts[tb.Name()] = map[string]entry{}
	}
	t.puts[tb.Name()][rowKey(ns, row[tb.Key()])] = entry{row: row, doc: append(json.RawMessage(nil), doc...)}
	return nil
}

func (t *tx) Get(tb *projections.Table, ns string, key any) (json.RawMessage, bool, error) {
	if t.done {
		return nil, false, ErrClosed
	}
	if e, ok := t.puts[tb.Name()][rowKey(ns, key)]; ok {
		return e.doc, true, nil
	}
	return t.s.Get(context.Background(), tb, ns, key)
}

func (t *tx) SetCheckpoint(projector string, pos event.Position) error {
	if t.done {
		return ErrClosed
	}
	t.cps[projector] = pos
	return nil
}

func (t *tx) Commit() error {
	if t.done {
		return ErrClosed
	}
	t.done = true
	t.s.mu.Lock()
	for n, rows := range t.puts {
		if t.s.tables[n] == nil {
			t.s.tables[n] = map[string]entry{}
		}
		for k, e := range rows {
			t.s.tables[n][k] = e
		}
	}
	for k, v := range t.cps {
		t.s.checkpoints[k] = v
	}
	t.s.mu.Unlock()
	<-t.s.writer
	return nil
}

func (t *tx) Rollback() error {
	if !t.done {
		t.done = true
		<-t.s.writer
	}
	return nil
}
