package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
)

// ErrClosed is returned by every method of a closed Store and of its
// transactions.
var ErrClosed = errors.New("read model closed")

// Store is the SQLite read model. Create it with Open; it implements
// projections.Store.
type Store struct {
	cfg    Config
	log    zerolog.Logger
	tables []*table // in name order
	byDecl map[*projections.Table]*table

	wdb  *sql.DB // two connections: the writer's and the checkpointer's
	w    *writer
	ckpt *checkpointer
	rdb  *sql.DB // read-only pool
	r    *readStatements

	optimized time.Time   // guarded by the writer token
	writes    writeCounts // guarded by the writer token
	// putKeys knows which keys were put into the tables this Open created
	// (table.fresh); nil when it created none or the filter outgrew its
	// bound. Guarded by the writer token.
	putKeys *putKeys
	stats   statsCache // sqlite_stat1, for Find's plans

	// replaceRows writes every row with insertSQL, as before rows were
	// updated in place: the reference the tests compare that with.
	replaceRows bool

	closed    atomic.Bool
	abandoned atomic.Bool // Close gave up waiting for a transaction
	closing   chan struct{}
	once      sync.Once
	closeErr  error
}

var _ projections.Store = (*Store)(nil)

// Open opens (creating if needed) the read model at cfg.Path for tables:
// it applies pending migrations and creates the tables the file lacks, in
// one transaction. A table the file holds from another declaration is an
// error wrapping ErrSchemaChanged. SetDefaults is applied to a copy of cfg.
func Open(ctx context.Context, cfg Config, tables []*projections.Table, logger zerolog.Logger) (*Store, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("sqlite read model config: %w", err)
	}
	s := &Store{
		cfg:     cfg,
		log:     logger.With().Str("component", "readmodel.sqlite").Str("path", cfg.Path).Logger(),
		byDecl:  map[*projections.Table]*table{},
		closing: make(chan struct{}),
	}
	if err := s.declare(tables); err != nil {
		return nil, fmt.Errorf("sqlite read model: %w", err)
	}
	if dir := filepath.Dir(cfg.Path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("sqlite read model: %w", err)
		}
	}
	if err := s.open(ctx); err != nil {
		return nil, fmt.Errorf("sqlite read model %s: %w", cfg.Path, errors.Join(err, s.closeDBs()))
	}
	s.log.Info().Int("tables", len(s.tables)).Str("synchronous", cfg.Synchronous).Msg("read model open")
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

func (s *Store) open(ctx context.Context) error {
	var err error
	if s.wdb, err = sql.Open("sqlite", dsn(s.cfg, false)); err != nil {
		return err
	}
	s.wdb.SetMaxOpenConns(2)
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
	applied, created, err := setUp(ctx, conn, s.tables, s.cfg.DeferIndexes)
	if err != nil {
		_ = conn.Close()
		return err
	}
	for _, name := range applied {
		s.log.Info().Str("migration", name).Msg("applied migration")
	}
	for _, name := range created {
		s.log.Info().Str("table", name).Msg("created table")
		for _, t := range s.tables {
			if t.name == name {
				t.fresh = true
			}
		}
	}
	if len(created) > 0 {
		s.putKeys = newPutKeys(maxPutKeysBytes)
	}
	if s.w, err = newWriter(ctx, conn, s.tables); err != nil {
		_ = conn.Close()
		return err
	}
	if !s.cfg.DeferIndexes {
		if err := s.buildIndexes(ctx); err != nil {
			return err
		}
	}
	s.optimize(ctx, "PRAGMA optimize=0x10002")
	if s.ckpt, err = newCheckpointer(ctx, s.wdb, s.log); err != nil {
		return err
	}
	go s.ckpt.run()
	if s.rdb, err = sql.Open("sqlite", dsn(s.cfg, true)); err != nil {
		return err
	}
	s.rdb.SetMaxOpenConns(s.cfg.ReadConns)
	s.rdb.SetMaxIdleConns(s.cfg.ReadConns)
	s.r, err = prepareReads(ctx, s.rdb, s.tables)
	return err
}

// writeCounts counts how the flushes wrote rows: the tests' view of which
// path a row took.
type writeCounts struct {
	replaced  int64 // insertSQL: new rows, and rows the transaction did not read
	updated   int64 // an UPDATE of the changed columns
	unchanged int64 // read and put again as they were: not written
	// absent counts the Gets putKeys answered without asking SQLite.
	absent int64
}

// optimizeEvery is how often Begin lets SQLite refresh the statistics its
// query planner uses: PRAGMA optimize runs ANALYZE on a table whose size
// changed about tenfold since its last one, which therefore happens a few
// times in a table's life (it reads every index: about 3s for a million
// messages, during which Begin waits). Without statistics SQLite guesses,
// and may walk the index of the sort rather than the far smaller one of a
// filter (batch=<id> sorted by created: 200ms rather than 0.4ms on 200,000
// rows); ANALYZE with a sampling limit guesses no better here, since every
// index starts with the one namespace.
const optimizeEvery = time.Minute

// optimize runs PRAGMA optimize on the writer's connection, which the
// caller holds. A failure only costs query plans, so it is logged.
func (s *Store) optimize(ctx context.Context, pragma string) {
	s.optimized = time.Now()
	if _, err := s.w.conn.ExecContext(ctx, pragma); err != nil {
		s.log.Warn().Err(err).Msg("PRAGMA optimize failed")
	}
}

// table finds the schema of a table given to Open.
func (s *Store) table(d *projections.Table) (*table, error) {
	if t, ok := s.byDecl[d]; ok {
		return t, nil
	}
	if d == nil {
		return nil, errors.New("sqlite read model: nil table")
	}
	return nil, fmt.Errorf("sqlite read model: table %q was not given to Open", d.Name())
}

// Begin starts the write transaction. There is one writer connection: a
// second Begin waits until the transaction in progress ends (or ctx ends,
// or the store closes). The transaction belongs to ctx: once ctx is done its
// methods fail with ctx.Err() and Commit rolls back.
func (s *Store) Begin(ctx context.Context) (projections.Tx, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	select {
	case s.w.token <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.closing:
		return nil, ErrClosed
	}
	if s.closed.Load() {
		<-s.w.token
		return nil, ErrClosed
	}
	if time.Since(s.optimized) > optimizeEvery {
		s.optimize(ctx, "PRAGMA optimize")
	}
	if s.ckpt.walTooLong() {
		if _, err := s.w.checkpoint.Exec(); err != nil {
			s.log.Warn().Err(err).Msg("WAL checkpoint failed")
		}
	}
	if _, err := s.w.begin.Exec(); err != nil {
		<-s.w.token
		return nil, fmt.Errorf("sqlite read model: begin: %w", err)
	}
	return &tx{s: s, ctx: ctx, pending: map[rowID]int{}, stored: map[rowID][]any{}}, nil
}

// Checkpoints implements projections.Store.
func (s *Store) Checkpoints(ctx context.Context) (map[string]event.Position, error) {
	if s.closed.Load() {
		return nil, ErrClosed
	}
	rows, err := s.r.checkpoints.QueryContext(ctx)
	if err != nil {
		return nil, s.readErr(ctx, err)
	}
	defer func() { _ = rows.Close() }()
	out := map[string]event.Position{}
	for rows.Next() {
		var name string
		var pos int64
		if err := rows.Scan(&name, &pos); err != nil {
			return nil, s.readErr(ctx, err)
		}
		out[name] = event.Position(pos) //nolint:gosec // SetCheckpoint stores positions up to MaxInt64 only
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
	var doc []byte
	err = s.r.gets[t.index].QueryRowContext(ctx, ns, k).Scan(&doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, s.readErr(ctx, err)
	}
	return doc, true, nil
}

// closeWait is how long Close waits for the transaction in progress.
var closeWait = 10 * time.Second

// Close waits for the transaction in progress to end (at most closeWait;
// then the transaction is abandoned: its methods fail with ErrClosed and
// SQLite rolls it back), then closes the file. It is idempotent and returns
// the first close's error.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.closed.Store(true)
		close(s.closing)
		select {
		case s.w.token <- struct{}{}: // the writer is ours: no transaction is open
			s.optimize(context.Background(), "PRAGMA optimize")
		case <-time.After(closeWait):
			s.abandoned.Store(true)
			s.log.Error().Dur("waited", closeWait).Msg("closing with a transaction still open; it is rolled back")
		}
		s.closeErr = s.closeDBs()
		s.log.Info().Msg("read model closed")
	})
	return s.closeErr
}

func (s *Store) closeDBs() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.close())
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.stop())
	}
	if s.w != nil {
		errs = append(errs, s.w.close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	return errors.Join(errs...)
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
		return fmt.Errorf("sqlite read model: read: %w", err)
	}
}

// readStatements are prepared on the read pool (database/sql prepares them
// again on each connection that runs them).
type readStatements struct {
	checkpoints *sql.Stmt
	gets        []*sql.Stmt // by table index
}

func prepareReads(ctx context.Context, db *sql.DB, tables []*table) (*readStatements, error) {
	r := &readStatements{}
	var err error
	if r.checkpoints, err = db.PrepareContext(ctx, "SELECT projector, position FROM checkpoints"); err != nil {
		return r, err
	}
	for _, t := range tables {
		st, err := db.PrepareContext(ctx, t.getSQL)
		if err != nil {
			return r, fmt.Errorf("table %q: %w", t.name, err)
		}
		r.gets = append(r.gets, st)
	}
	return r, nil
}

func (r *readStatements) close() error {
	var errs []error
	if r.checkpoints != nil {
		errs = append(errs, r.checkpoints.Close())
	}
	for _, st := range r.gets {
		errs = append(errs, st.Close())
	}
	return errors.Join(errs...)
}
