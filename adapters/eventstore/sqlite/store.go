package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rs/zerolog"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Store is the SQLite event store. Create it with Open; it implements
// event.Store.
type Store struct {
	cfg  Config
	log  zerolog.Logger
	lock *storeLock // held from Open to Close: this Store is the file's only user

	wdb    *sql.DB // the writer's connection and the checkpointer's
	rdb    *sql.DB // read-only pool for reads and subscriptions
	reads  *readStatements
	writer *writer
	ckpt   *checkpointer

	// head is the last committed position; only the writer stores it, after
	// the commit and before it wakes subscribers.
	head   atomic.Uint64
	commit notifier
	// tail holds the latest committed events for live subscriptions; the
	// writer fills it before it publishes the head.
	tail *tail

	mu       sync.Mutex // guards closed and the subscriptions WaitGroup's Add
	closed   atomic.Bool
	closing  chan struct{} // closed when Close starts
	subs     sync.WaitGroup
	closeErr error
	once     sync.Once
}

var _ event.Store = (*Store)(nil)

// Open opens (creating if needed) the store at cfg.Path, applies pending
// migrations and starts the writer. SetDefaults is applied to a copy of cfg.
//
// A store file has one user at a time: if another Store, in this process or
// another, has cfg.Path open, Open fails with an error wrapping ErrLocked
// (see lock.go). The lock is released by Close, or by the kernel when the
// process dies.
func Open(ctx context.Context, cfg Config, logger zerolog.Logger) (*Store, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sqlite event store config: %w", err)
	}
	if dir := filepath.Dir(cfg.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite event store: %w", err)
		}
	}
	lock, err := lockStore(cfg.Path)
	if err != nil {
		return nil, fmt.Errorf("sqlite event store %s: %w", cfg.Path, err)
	}
	s := &Store{
		cfg:     cfg,
		log:     logger.With().Str("component", "eventstore.sqlite").Str("path", cfg.Path).Logger(),
		lock:    lock,
		closing: make(chan struct{}),
		tail:    newTail(cfg.TailEvents, cfg.TailBytes),
	}
	s.commit.init()
	if err := s.open(ctx); err != nil {
		// The files are closed before the lock goes, so the next opener
		// never shares them with a half-closed store.
		return nil, fmt.Errorf("sqlite event store %s: %w", cfg.Path, errors.Join(err, s.closeDBs(), s.lock.release()))
	}
	s.log.Info().Uint64("head", s.head.Load()).Str("synchronous", cfg.Synchronous).Msg("event store open")
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	var err error
	if s.wdb, err = sql.Open("sqlite", dsn(s.cfg, false)); err != nil {
		return err
	}
	s.wdb.SetMaxOpenConns(2) // the writer's and the checkpointer's
	s.wdb.SetMaxIdleConns(2)
	s.wdb.SetConnMaxLifetime(0)
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return err
	}
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode=WAL").Scan(&mode); err != nil {
		_ = conn.Close()
		return fmt.Errorf("enable WAL: %w", err)
	}
	if !strings.EqualFold(mode, "wal") {
		_ = conn.Close()
		return fmt.Errorf("enable WAL: journal mode is %q", mode)
	}
	applied, err := migrate(ctx, conn)
	if err != nil {
		_ = conn.Close()
		return err
	}
	for _, name := range applied {
		s.log.Info().Str("migration", name).Msg("applied migration")
	}
	if s.writer, err = newWriter(ctx, s, conn); err != nil {
		_ = conn.Close()
		return err
	}
	s.head.Store(uint64(s.writer.head))

	if s.rdb, err = sql.Open("sqlite", dsn(s.cfg, true)); err != nil {
		return err
	}
	s.rdb.SetMaxOpenConns(readConns)
	s.rdb.SetMaxIdleConns(readConns)
	if s.reads, err = prepareReads(ctx, s.rdb); err != nil {
		return err
	}
	if s.ckpt, err = newCheckpointer(ctx, s.wdb, s.log); err != nil {
		return err
	}
	go s.ckpt.run()
	go s.writer.run()
	return nil
}

// readConns bounds the read pool: enough for a few concurrent readers and
// subscriptions without one page cache per goroutine.
const readConns = 4

// Head returns the last committed position. The single writer publishes it
// after each commit, so it never runs ahead of what readers can see.
func (s *Store) Head(ctx context.Context) (event.Position, error) {
	if s.closed.Load() {
		return 0, event.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return event.Position(s.head.Load()), nil
}

// Close stops the writer (queued appends that have not started fail with
// ErrClosed), ends subscriptions with ErrClosed, closes the file and then
// releases the lock, so another Store may open it. It is idempotent and
// returns the first close's error.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed.Store(true)
		close(s.closing)
		s.mu.Unlock()

		s.writer.stop()
		s.ckpt.stop()
		s.subs.Wait()
		s.closeErr = errors.Join(s.closeDBs(), s.lock.release())
		s.log.Info().Uint64("head", s.head.Load()).Msg("event store closed")
	})
	return s.closeErr
}

func (s *Store) closeDBs() error {
	var errs []error
	if s.reads != nil {
		errs = append(errs, s.reads.close())
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.writer != nil {
		errs = append(errs, s.writer.closeConn())
	}
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.closeConn())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	return errors.Join(errs...)
}

// notifier wakes every waiter once per commit: waiters take the current
// channel, the writer closes it and installs a fresh one.
type notifier struct {
	mu sync.Mutex
	ch chan struct{}
}

func (n *notifier) init() { n.ch = make(chan struct{}) }

// wait returns a channel that is closed at the next broadcast. Take it before
// checking the head, so a commit between the check and the wait is not missed.
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
		return fmt.Errorf("sqlite event store: read: %w", err)
	}
}
