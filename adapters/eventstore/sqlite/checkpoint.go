package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"
)

// checkpointGap is the least time between two checkpoints: under a steady
// stream of commits the checkpointer copies the WAL in batches rather than
// chasing every commit.
const checkpointGap = 50 * time.Millisecond

// walRestartFrames is the WAL length (in pages, about 32 MiB with 4 KiB
// pages) past which the writer helps the WAL start over.
const walRestartFrames = 8192

// checkpointer copies committed WAL frames back into the database file on its
// own connection, so the writer never stalls on a checkpoint (the writer's
// connection has wal_autocheckpoint off). PASSIVE checkpoints never block the
// writer or readers, and SQLite starts the WAL over at the next commit once
// one has copied everything.
//
// Under a steady stream of commits that moment may never come, and the WAL
// would only grow. So when the checkpointer finds the WAL longer than
// walRestartFrames, the writer runs one more PASSIVE checkpoint itself
// between two transactions, when no commit can race it: it copies the few
// frames left and the next commit starts the WAL over. Nothing ever waits
// for readers (a RESTART checkpoint would hold the writer back while a long
// read finishes).
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
	if c == nil {
		return
	}
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
	if c == nil || c.walFrames.Load() <= walRestartFrames {
		return false
	}
	c.walFrames.Store(0)
	return true
}

func (c *checkpointer) stop() {
	if c == nil {
		return
	}
	c.once.Do(func() { close(c.quit) })
	<-c.done
}

func (c *checkpointer) closeConn() error { return c.conn.Close() }
