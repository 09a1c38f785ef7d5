package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// checkpointGap is the least time between two checkpoints. Every commit
// appends the pages it changed to the WAL, and a rebuild changes the same
// index pages commit after commit: copying them back to the database file
// once a second, rather than after each commit, writes each page once for
// many commits (and fsyncs once).
const checkpointGap = time.Second

// walRestartFrames is the WAL length (in pages, 256 MiB with 4 KiB pages)
// past which the writer helps the WAL start over.
const walRestartFrames = 65536

// checkpointer copies committed WAL frames back into the database file on
// its own connection, so that a commit never waits for a checkpoint (the
// writer's connection has wal_autocheckpoint off), as the event store's
// does. PASSIVE checkpoints never block the writer or readers, and SQLite
// starts the WAL over at the next commit once one has copied everything.
// Under a steady stream of commits that moment may not come; so when the
// checkpointer finds the WAL longer than walRestartFrames, Begin runs one
// more PASSIVE checkpoint on the writer's connection before its transaction,
// when no commit can race it.
type checkpointer struct {
	conn      *sql.Conn
	walFrames atomic.Int64 // WAL length the last checkpoint found
	log       zerolog.Logger
	wake      chan struct{}
	quit      chan struct{}
	done      chan struct{}
	once      sync.Once
}

func newCheckpointer(ctx context.Context, db *sql.DB, log zerolog.Logger) (*checkpointer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	return &checkpointer{
		conn: conn,
		log:  log,
		wake: make(chan struct{}, 1),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}, nil
}

// poke asks for a checkpoint soon; it never blocks.
func (c *checkpointer) poke() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) run() {
	defer close(c.done)
	gap := time.NewTimer(checkpointGap)
	defer gap.Stop()
	for {
		select {
		case <-c.wake:
		case <-c.quit:
			return
		}
		var busy, walFrames, copied int64
		err := c.conn.QueryRowContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &walFrames, &copied)
		if err != nil {
			c.log.Warn().Err(err).Msg("WAL checkpoint failed")
		} else {
			c.walFrames.Store(walFrames)
		}
		gap.Reset(checkpointGap)
		select {
		case <-gap.C:
		case <-c.quit:
			return
		}
	}
}

// walTooLong reports, at most once per checkpoint, that the WAL has grown
// past walRestartFrames.
func (c *checkpointer) walTooLong() bool {
	if c.walFrames.Load() <= walRestartFrames {
		return false
	}
	c.walFrames.Store(0)
	return true
}

// stop ends the goroutine and closes the connection.
func (c *checkpointer) stop() error {
	c.once.Do(func() { close(c.quit) })
	<-c.done
	return c.conn.Close()
}
