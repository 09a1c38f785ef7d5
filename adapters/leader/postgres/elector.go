package postgres

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/leader"
)

// ErrInvalidConfig wraps every Config.Validate failure.
var ErrInvalidConfig = errors.New("invalid leader election config")

// DefaultLease is the lease when Config.Lease is zero.
const DefaultLease = 5 * time.Second

// Config configures an Elector.
type Config struct {
	// URL is the PostgreSQL server (the member's event store's).
	URL string
	// Scope separates this member's roles from other members' on the same
	// database (for example its org and schema).
	Scope string
	// Instance names this instance in logs and GET /status.
	Instance string
	// Lease bounds how long a role stays with an instance that stopped
	// answering (default 5s, at least 1s).
	Lease time.Duration
}

func (c *Config) setDefaults() {
	if c.Lease == 0 {
		c.Lease = DefaultLease
	}
}

// Validate checks c after defaults.
func (c Config) Validate() error {
	switch {
	case c.URL == "":
		return fmt.Errorf("%w: url is empty", ErrInvalidConfig)
	case c.Scope == "":
		return fmt.Errorf("%w: scope is empty", ErrInvalidConfig)
	case c.Instance == "":
		return fmt.Errorf("%w: instance is empty", ErrInvalidConfig)
	case c.Lease < time.Second:
		return fmt.Errorf("%w: lease %s is below 1s", ErrInvalidConfig, c.Lease)
	}
	return nil
}

// Elector implements leader.Elector with advisory locks.
type Elector struct {
	cfg Config
	log zerolog.Logger

	// mu guards conn (one session: pgx connections are not for concurrent
	// use), leases and session.
	mu     sync.Mutex
	conn   *pgx.Conn
	leases map[string]*lease
	// session counts connections: leases of an earlier one are gone.
	session uint64
	// changed is closed (and replaced) when a lock may have been freed in
	// this process, so local campaigns retry at once.
	changed chan struct{}

	closed chan struct{}
	once   sync.Once
	wg     sync.WaitGroup
}

var _ leader.Elector = (*Elector)(nil)

// Open connects and starts the keepalive.
func Open(ctx context.Context, cfg Config, log zerolog.Logger) (*Elector, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	e := &Elector{cfg: cfg, log: log.With().Str("component", "leader").Str("instance", cfg.Instance).Logger(),
		leases: map[string]*lease{}, changed: make(chan struct{}), closed: make(chan struct{})}
	e.mu.Lock()
	err := e.connect(ctx)
	e.mu.Unlock()
	if err != nil {
		return nil, err
	}
	e.wg.Go(e.keepalive)
	return e, nil
}

// Instance implements leader.Elector.
func (e *Elector) Instance() string { return e.cfg.Instance }

// key is role's lock key.
func (e *Elector) key(role string) int64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(e.cfg.Scope))
	_, _ = h.Write([]byte{0})
	_, _ = h.Write([]byte(role))
	return int64(h.Sum64()) //nolint:gosec // a lock key: any 64 bits do
}

// connect opens the session. Callers hold mu.
func (e *Elector) connect(ctx context.Context) error {
	pcfg, err := pgx.ParseConfig(e.cfg.URL)
	if err != nil {
		return fmt.Errorf("%w: url: %w", ErrInvalidConfig, err)
	}
	secs := func(d time.Duration) string { return fmt.Sprint(max(1, int(d/time.Second))) }
	// The server drops the session of a client that stopped answering
	// within about a lease: idle + interval*count.
	pcfg.RuntimeParams["tcp_keepalives_idle"] = secs(e.cfg.Lease / 3)
	pcfg.RuntimeParams["tcp_keepalives_interval"] = secs(e.cfg.Lease / 6)
	pcfg.RuntimeParams["tcp_keepalives_count"] = "2"
	pcfg.RuntimeParams["application_name"] = "ledgermirror leader " + e.cfg.Instance
	cctx, cancel := context.WithTimeout(ctx, e.cfg.Lease)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, pcfg)
	if err != nil {
		return fmt.Errorf("leader election: connecting: %w", err)
	}
	e.conn = conn
	e.session++
	return nil
}

// Campaign implements leader.Elector.
func (e *Elector) Campaign(ctx context.Context, role string) (leader.Lease, error) {
	poll := min(e.cfg.Lease/10, 500*time.Millisecond)
	logged := false
	for {
		l, changed, err := e.try(ctx, role)
		if l != nil || err != nil {
			if l != nil {
				e.log.Info().Str("role", role).Msg("took the role")
			}
			return l, err
		}
		if !logged {
			e.log.Info().Str("role", role).Msg("another instance holds the role; waiting for it")
			logged = true
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-e.closed:
			return nil, leader.ErrClosed
		case <-changed:
		case <-time.After(poll):
		}
	}
}

// try takes role's lock if it is free. It returns the lease, or nil and a
// channel closed when a local lease is released. Connection failures are
// not errors: the campaign waits for the keepalive to reconnect.
func (e *Elector) try(ctx context.Context, role string) (*lease, <-chan struct{}, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case <-e.closed:
		return nil, nil, leader.ErrClosed
	default:
	}
	if _, held := e.leases[role]; held || e.conn == nil {
		return nil, e.changed, nil
	}
	qctx, cancel := context.WithTimeout(ctx, e.cfg.Lease/3)
	defer cancel()
	var got bool
	if err := e.conn.QueryRow(qctx, "SELECT pg_try_advisory_lock($1)", e.key(role)).Scan(&got); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		e.log.Warn().Err(err).Str("role", role).Msg("trying a role's lock failed")
		e.dropLocked()
		return nil, e.changed, nil
	}
	if !got {
		return nil, e.changed, nil
	}
	l := &lease{e: e, role: role, session: e.session, lost: make(chan struct{})}
	e.leases[role] = l
	return l, nil, nil
}

// keepalive pings the session; when no ping succeeded for a third of the
// lease, every lease is lost and the session replaced.
func (e *Elector) keepalive() {
	every := max(e.cfg.Lease/6, 50*time.Millisecond)
	tick := time.NewTicker(every)
	defer tick.Stop()
	lastOK := time.Now()
	for {
		select {
		case <-e.closed:
			return
		case <-tick.C:
		}
		e.mu.Lock()
		if e.conn == nil {
			if err := e.connect(context.Background()); err == nil {
				lastOK = time.Now()
				e.notifyLocked()
			}
		} else if err := e.ping(); err == nil {
			lastOK = time.Now()
		} else if time.Since(lastOK) >= e.cfg.Lease/3 {
			e.log.Error().Err(err).Dur("since", time.Since(lastOK)).Msg("the database did not answer for a third of the lease: every role is lost")
			e.dropLocked()
		}
		e.mu.Unlock()
	}
}

// ping checks the session. Callers hold mu.
func (e *Elector) ping() error {
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.Lease/6)
	defer cancel()
	return e.conn.Ping(ctx)
}

// dropLocked ends the session: its locks go with it, so its leases are
// lost. Callers hold mu.
func (e *Elector) dropLocked() {
	if e.conn != nil {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		_ = e.conn.Close(ctx)
		cancel()
		e.conn = nil
	}
	for role, l := range e.leases {
		close(l.lost)
		delete(e.leases, role)
	}
	e.notifyLocked()
}

func (e *Elector) notifyLocked() {
	close(e.changed)
	e.changed = make(chan struct{})
}

// Close implements leader.Elector.
func (e *Elector) Close() error {
	e.once.Do(func() {
		close(e.closed)
		e.wg.Wait()
		e.mu.Lock()
		defer e.mu.Unlock()
		e.dropLocked()
	})
	return nil
}

type lease struct {
	e       *Elector
	role    string
	session uint64
	lost    chan struct{}
}

func (l *lease) Lost() <-chan struct{} { return l.lost }

// Release implements leader.Lease: the lock is given back on the session
// that took it; if that session is gone, so is the lock.
func (l *lease) Release() error {
	e := l.e
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.leases[l.role] != l {
		return nil // lost already, or released
	}
	delete(e.leases, l.role)
	defer e.notifyLocked()
	if e.conn == nil || e.session != l.session {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), e.cfg.Lease/3)
	defer cancel()
	if _, err := e.conn.Exec(ctx, "SELECT pg_advisory_unlock($1)", e.key(l.role)); err != nil {
		// The lock may still be held: end the session, which frees it.
		e.log.Warn().Err(err).Str("role", l.role).Msg("releasing a role failed; closing the session")
		e.dropLocked()
		return fmt.Errorf("releasing %s: %w", l.role, err)
	}
	e.log.Info().Str("role", l.role).Msg("gave the role up")
	return nil
}
