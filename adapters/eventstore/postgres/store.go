package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Store is the Postgres event store. Create it with Open; it implements
// event.Store. Several Stores, in one process or many, may share a schema:
// everything they must agree on lives in the database.
type Store struct {
	cfg  Config
	log  zerolog.Logger
	pool *pgxpool.Pool

	writer   *writer
	listener *listener
	// commit wakes live subscriptions: at each local commit, and at each
	// notification the listener receives (commits of other Stores).
	commit notifier

	mu       sync.Mutex // guards closed and the subscriptions WaitGroup's Add
	closed   atomic.Bool
	closing  chan struct{} // closed when Close starts
	subs     sync.WaitGroup
	closeErr error
	once     sync.Once
}

var _ event.Store = (*Store)(nil)

// Open connects to cfg.URL, creates cfg.Schema and applies pending
// migrations, starts listening for commit notifications and starts the
// writer. SetDefaults is applied to a copy of cfg.
func Open(ctx context.Context, cfg Config, logger zerolog.Logger) (*Store, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("postgres event store config: %w", err)
	}
	poolCfg, err := pgxpool.ParseConfig(cfg.URL)
	if err != nil {
		return nil, errors.New("postgres event store config: url: not a valid Postgres connection string")
	}
	// Unqualified names in every statement resolve to the store's schema,
	// and only to it.
	poolCfg.ConnConfig.RuntimeParams["search_path"] = cfg.Schema
	poolCfg.ConnConfig.RuntimeParams["application_name"] = "ledgermirror-eventstore"
	poolCfg.ConnConfig.ConnectTimeout = cfg.ConnectTimeout
	poolCfg.MaxConns = int32(cfg.MaxConns)
	s := &Store{
		cfg:     cfg,
		log:     logger.With().Str("component", "eventstore.postgres").Str("schema", cfg.Schema).Logger(),
		closing: make(chan struct{}),
	}
	s.commit.init()
	if err := s.open(ctx, poolCfg); err != nil {
		if s.listener != nil {
			s.listener.stop()
		}
		if s.pool != nil {
			s.pool.Close()
		}
		return nil, fmt.Errorf("postgres event store (schema %s): %w", cfg.Schema, err)
	}
	head, _ := s.Head(ctx)
	s.log.Info().Uint64("head", uint64(head)).Msg("event store open")
	return s, nil
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
	applied, err := migrate(ctx, conn.Conn(), s.cfg.Schema)
	conn.Release()
	if err != nil {
		return err
	}
	for _, name := range applied {
		s.log.Info().Str("migration", name).Msg("applied migration")
	}
	// Listen before anything can be read, so no commit after Open goes
	// unnoticed.
	if s.listener, err = startListener(ctx, s, poolCfg.ConnConfig.Copy()); err != nil {
		return fmt.Errorf("listen for commits: %w", err)
	}
	s.writer = newWriter(s)
	go s.writer.run()
	return nil
}

// Head returns the last committed position: store_head's row as this
// moment's snapshot sees it. It moves in the same transaction as the events
// it counts, so it never names a position a reader cannot read yet.
func (s *Store) Head(ctx context.Context) (event.Position, error) {
	if s.closed.Load() {
		return 0, event.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	var head int64
	if err := s.pool.QueryRow(ctx, "SELECT position FROM store_head").Scan(&head); err != nil {
		return 0, s.readErr(ctx, err)
	}
	return event.Position(head), nil
}

// Close stops the writer (queued appends that have not started fail with
// ErrClosed), ends subscriptions with ErrClosed, stops listening and closes
// the pool. It is idempotent and returns the first close's error.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed.Store(true)
		close(s.closing)
		s.mu.Unlock()

		s.writer.stop()
		s.subs.Wait()
		s.listener.stop()
		s.pool.Close()
		s.log.Info().Msg("event store closed")
	})
	return s.closeErr
}

// notifier wakes every waiter once per broadcast: waiters take the current
// channel, a broadcast closes it and installs a fresh one.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func (n *notifier) init() { n.ch = make(chan struct{}) }

// wait returns a channel that is closed at the next broadcast. Take it before
// reading, so a commit between the read and the wait is not missed.
func (n *notifier) wait() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ch
}

func (n *notifier) broadcast() {
	n.mu.Lock()
	close(n.ch)
	n.ch = make(chan struct{})
	n.mu.Unlock()
}

// readErr turns an error from a read into what the port promises: ErrClosed
// once the store is closed, ctx.Err() once ctx is done.
func (s *Store) readErr(ctx context.Context, err error) error {
	switch {
	case err == nil:
		return nil
	case s.closed.Load():
		return event.ErrClosed
	case ctx.Err() != nil:
		return ctx.Err()
	default:
		return fmt.Errorf("postgres event store: read: %w", err)
	}
}

// pgxIdentifier quotes a name for SQL text (LISTEN takes an identifier, not
// a parameter).
func pgxIdentifier(name string) string { return pgx.Identifier{name}.Sanitize() }
