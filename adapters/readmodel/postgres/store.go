package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
)

// ErrClosed is returned by every method of a closed Store and of its
// transactions.
var ErrClosed = errors.New("read model closed")

// Store is the Postgres read model. Create it with Open; it implements
// projections.Store.
type Store struct {
	cfg    Config
	log    zerolog.Logger
	tables []*table // in name order
	byDecl map[*projections.Table]*table
	pool   *pgxpool.Pool

	// token is the right to write: Begin puts one in, the end of the
	// transaction takes it out.
	token chan struct{}

	closed    atomic.Bool
	abandoned atomic.Bool // Close gave up waiting for a transaction
	closing   chan struct{}
	once      sync.Once
}

var _ projections.Store = (*Store)(nil)

// Open connects to cfg.URL, creates cfg.Schema, applies pending migrations
// and creates the tables the schema lacks, in one transaction. A table the
// schema holds from another declaration is an error wrapping
// ErrSchemaChanged. SetDefaults is applied to a copy of cfg.
func Open(ctx context.Context, cfg Config, tables []*projections.Table, logger zerolog.Logger) (*Store, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("postgres read model config: %w", err)
	}
	poolCfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, errors.New("postgres read model config: url: not a valid Postgres connection string")
	}
	// Unqualified names in every statement resolve to the read model's
	// schema, and only to it (built-in functions live in pg_catalog, which
	// is always searched).
	poolCfg.ConnConfig.RuntimeParams["search_path"] = cfg.Schema
	poolCfg.ConnConfig.RuntimeParams["application_name"] = "ledgermirror-readmodel"
	poolCfg.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	poolCfg.MaxConns = int32(cfg.MaxConns) //nolint:gosec // Validate bounds it
	s := &Store{
		cfg:     cfg,
		log:     logger.With().Str("component", "readmodel.postgres").Str("schema", cfg.Schema).Logger(),
		byDecl:  map[*projections.Table]*table{},
		token:   make(chan struct{}, 1),
		closing: make(chan struct{}),
	}
	if err := s.declare(tables); err != nil {
		return nil, fmt.Errorf("postgres read model: %w", err)
	}
	if err := s.open(ctx, poolCfg); err != nil {
		if s.pool != nil {
			s.pool.Close()
		}
		return nil, fmt.Errorf("postgres read model (schema %s): %w", cfg.Schema, err)
	}
	s.log.Info().Int("tables", len(s.tables)).Msg("read model open")
	return s, nil
}

// declare generates the schema of every table, in name order (so that the
// DDL runs, and Digest hashes, in an order that does not depend on the
// caller's).
func (s *Store) declare(decls []*projections.Table) error {
	seen := map[string]bool{}
	for _, d := range decls {
		if d == nil {
			return errors.New("nil table")
		}
		if _, dup := s.byDecl[d]; dup {
			continue
		}
		// Postgres tells "Messages" from "messages", SQLite does not: refuse
		// both here too, so a declaration works with either adapter.
		if seen[strings.ToLower(d.Name())] {
			return fmt.Errorf("two tables named %q (names ignore case)", d.Name())
		}
		seen[strings.ToLower(d.Name())] = true
		t, err := newTable(d)
		if err != nil {
			return err
		}
		s.byDecl[d] = t
		s.tables = append(s.tables, t)
	}
	slices.SortFunc(s.tables, func(a, b *table) int { return strings.Compare(a.name, b.name) })
	for i, t := range s.tables {
		t.index = i
	}
	return nil
}

func (s *Store) open(ctx context.Context, poolCfg *pgxpool.Config) error {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.ConnectTimeout)
	defer cancel()
	var err error
	if s.pool, err = pgxpool.NewWithConfig(ctx, poolCfg); err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	applied, created, err := setUp(ctx, conn.Conn(), s.cfg.Schema, s.tables, s.cfg.DeferIndexes)
	conn.Release()
	if err != nil {
		return err
	}
	for _, name := range applied {
		s.log.Info().Str("migration", name).Msg("applied migration")
	}
	for _, name := range created {
		s.log.Info().Str("table", name).Msg("created table")
	}
	if !s.cfg.DeferIndexes {
		return s.buildIndexes(context.WithoutCancel(ctx))
	}
	return nil
}

// table finds the schema of a table given to Open.
func (s *Store) table(d *projections.Table) (*table, error) {
	if t, ok := s.byDecl[d]; ok {
		return t, nil
	}
	if d == nil {
		return nil, errors.New("postgres read model: nil table")
	}
	return nil, fmt.Errorf("postgres read model: table %q was not given to Open", d.Name())
}

// writeLockKey is the first half of the advisory lock every write
// transaction takes (the second is the schema's hash): two processes
// writing one read model, as two instances of a member might for a moment
// around a failover, take turns instead of interleaving rows and
// checkpoints.
const writeLockKey = 0x4c4d5257 // "LMRW"

// Begin starts the write transaction. Transactions are serialised: a second
// Begin waits until the transaction in progress ends (or ctx ends, or the
// store closes), and across processes by an advisory lock. The transaction
// belongs to ctx: once ctx is done its methods fail with ctx.Err() and
// Commit rolls back.
func (s *Store) Begin(ctx context.Context) (projections.Tx, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	select {
	case s.token <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.closing:
		return nil, ErrClosed
	}
	if s.closed.Load() {
		<-s.token
		return nil, ErrClosed
	}
	tx, err := s.pool.Begin(ctx)
	if err == nil {
		_, err = tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1, hashtext($2))", int32(writeLockKey), s.cfg.Schema)
		if err != nil {
			_ = tx.Rollback(context.Background())
		}
	}
	if err != nil {
		<-s.token
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("postgres read model: begin: %w", err)
	}
	return &txn{s: s, ctx: ctx, tx: tx, pending: map[rowID]int{}, checkpoints: map[string]int64{}}, nil
}

// Checkpoints implements projections.Store.
func (s *Store) Checkpoints(ctx context.Context) (map[string]event.Position, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	rows, err := s.pool.Query(ctx, "SELECT projector, position FROM checkpoints")
	if err != nil {
		return nil, s.readErr(ctx, err)
	}
	defer rows.Close()
	out := map[string]event.Position{}
	for rows.Next() {
		var name string
		var pos int64
		if err := rows.Scan(&name, &pos); err != nil {
			return nil, s.readErr(ctx, err)
		}
		out[name] = event.Position(pos) //nolint:gosec // the column is CHECKed non-negative
	}
	return out, s.readErr(ctx, rows.Err())
}

// Get implements projections.Store.
func (s *Store) Get(ctx context.Context, d *projections.Table, ns string, key any) (json.RawMessage, bool, error) {
	if s.closed.Load() {
		return nil, false, ErrClosed
	}
	t, err := s.table(d)
	if err != nil {
		return nil, false, err
	}
	k, err := t.encodeKey(key)
	if err != nil {
		return nil, false, err
	}
	doc, found, err := getDoc(ctx, s.pool, t, ns, k)
	return doc, found, s.readErr(ctx, err)
}

// getDoc reads one row's document as stored.
func getDoc(ctx context.Context, db queryer, t *table, ns string, k any) (json.RawMessage, bool, error) {
	rows, err := db.Query(ctx, t.getSQL, []byte(ns), k)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	if !rows.Next() {
		return nil, false, rows.Err()
	}
	doc := json.RawMessage(append([]byte(nil), rows.RawValues()[0]...))
	rows.Close()
	return doc, true, rows.Err()
}

// closeWait is how long Close waits for the transaction in progress.
var closeWait = 10 * time.Second

// Close waits for the transaction in progress to end (at most closeWait;
// then the transaction is abandoned: its methods fail with ErrClosed and it
// is rolled back when its owner ends it), then closes the pool. It is
// idempotent.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.closed.Store(true)
		close(s.closing)
		select {
		case s.token <- struct{}{}: // no transaction is open
			s.pool.Close()
		case <-time.After(closeWait):
			s.abandoned.Store(true)
			s.log.Error().Dur("waited", closeWait).Msg("closing with a transaction still open; it is rolled back")
			// pgxpool.Close waits for the transaction's connection.
			go s.pool.Close()
		}
		s.log.Info().Msg("read model closed")
	})
	return nil
}

// readErr turns an error from a read into what callers can act on:
// ErrClosed once the store is closed, ctx.Err() once ctx is done.
func (s *Store) readErr(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case s.closed.Load():
		return ErrClosed
	case ctx.Err() != nil:
		return ctx.Err()
	default:
		return fmt.Errorf("postgres read model: read: %w", err)
	}
}

// DropSchema removes a read model's schema and everything in it (the
// generation the node no longer serves). The Store on it, if any, is
// closed. A schema that does not exist is not an error.
func DropSchema(ctx context.Context, cfg Config) error {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("postgres read model config: %w", err)
	}
	connCfg, err := pgx.ParseConfig(cfg.URL)
	if err != nil {
		return errors.New("postgres read model config: url: not a valid Postgres connection string")
	}
	connCfg.ConnectTimeout = cfg.ConnectTimeout
	conn, err := pgx.ConnectConfig(ctx, connCfg)
	if err != nil {
		return fmt.Errorf("postgres read model: drop schema %s: %w", cfg.Schema, err)
	}
	defer func() { _ = conn.Close(context.Background()) }()
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{cfg.Schema}.Sanitize()+" CASCADE"); err != nil {
		return fmt.Errorf("postgres read model: drop schema %s: %w", cfg.Schema, err)
	}
	return nil
}
