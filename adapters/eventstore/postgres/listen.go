package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// listener holds one connection outside the pool that LISTENs on the
// schema's channel; every Store's append transaction runs pg_notify on it,
// and Postgres delivers the notification only once that transaction has
// committed. Each notification wakes this Store's live subscriptions, which
// then read what is new; the payload is not needed.
//
// If the connection fails, notifications sent meanwhile are lost, so the
// listener wakes every subscription once it is back (and once when it
// fails); the subscriptions' PollInterval covers the time it takes.
type listener struct {
	s       *Store
	cfg     *pgx.ConnConfig
	channel string
	cancel  context.CancelFunc
	stopped chan struct{}
}

// reconnectDelay bounds how often a lost listener connection is retried.
const reconnectDelay = time.Second

func startListener(ctx context.Context, s *Store, cfg *pgx.ConnConfig) (*listener, error) {
	l := &listener{s: s, cfg: cfg, channel: notifyChannel(s.cfg.Schema), stopped: make(chan struct{})}
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, err
	}
	runCtx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go l.run(runCtx, conn)
	return l, nil
}

func (l *listener) connect(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.ConnectConfig(ctx, l.cfg)
	if err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "LISTEN "+pgxIdentifier(l.channel)); err != nil {
		_ = conn.Close(context.Background())
		return nil, err
	}
	return conn, nil
}

func (l *listener) run(ctx context.Context, conn *pgx.Conn) {
	defer close(l.stopped)
	for {
		for conn == nil {
			select {
			case <-ctx.Done():
				return
			case <-time.After(reconnectDelay):
			}
			c, err := l.connect(ctx)
			if err != nil {
				if ctx.Err() == nil {
					l.s.log.Warn().Err(err).Msg("reconnecting the commit listener failed; will retry")
				}
				continue
			}
			conn = c
			l.s.log.Info().Msg("commit listener reconnected")
			l.s.commit.broadcast() // whatever was notified while it was away
		}
		_, err := conn.WaitForNotification(ctx)
		if err == nil {
			l.s.commit.broadcast()
			continue
		}
		_ = conn.Close(context.Background())
		conn = nil
		if ctx.Err() != nil {
			return
		}
		l.s.log.Warn().Err(err).Msg("commit listener connection lost; subscriptions poll until it is back")
		l.s.commit.broadcast()
	}
}

func (l *listener) stop() {
	l.cancel()
	<-l.stopped
}
