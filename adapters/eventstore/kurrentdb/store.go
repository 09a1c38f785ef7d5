package kurrentdb

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Store is the KurrentDB event store. Create it with Open; it implements
// event.Store.
type Store struct {
	cfg   Config
	log   zerolog.Logger
	db    *kurrentdb.Client
	names names

	// life is cancelled by Close: it ends reads and subscriptions. Appends
	// already sent are waited for instead (see Config.AppendTimeout).
	life context.Context
	end  context.CancelFunc

	mu     sync.Mutex // guards closed and ops.Add
	closed bool
	ops    sync.WaitGroup // running appends, reads and subscriptions
	once   sync.Once
}

var _ event.Store = (*Store)(nil)

// Open connects to cfg.URL and checks, within cfg.ConnectTimeout, that the
// server answers a read of $all. SetDefaults is applied to a copy of cfg.
func Open(ctx context.Context, cfg Config, logger zerolog.Logger) (*Store, error) {
	cfg.SetDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("kurrentdb event store config: %w", err)
	}
	conn, err := kurrentdb.ParseConnectionString(cfg.URL)
	if err != nil {
		return nil, errors.New("kurrentdb event store config: url: not a valid KurrentDB connection string")
	}
	log := logger.With().Str("component", "eventstore.kurrentdb").Str("streamPrefix", cfg.StreamPrefix).Logger()
	conn.Logger = clientLogging(log)
	db, err := kurrentdb.NewClient(conn)
	if err != nil {
		return nil, fmt.Errorf("kurrentdb event store: %w", err)
	}
	s := &Store{
		cfg:   cfg,
		log:   log,
		db:    db,
		names: names{prefix: cfg.StreamPrefix},
	}
	s.life, s.end = context.WithCancel(context.Background())
	pingCtx, cancel := context.WithTimeout(ctx, cfg.ConnectTimeout)
	defer cancel()
	last, err := s.lastAllPosition(pingCtx)
	if err != nil {
		s.end()
		_ = db.Close()
		return nil, fmt.Errorf("kurrentdb event store: reaching the server: %w", err)
	}
	s.log.Info().Uint64("allPosition", last.Commit).Msg("event store open")
	return s, nil
}

// clientLogging sends the client's log lines to log at debug level: the
// client logs every cancelled call and dropped subscription as an error,
// and the store reports what matters through its own errors.
func clientLogging(log zerolog.Logger) kurrentdb.LoggingFunc {
	sub := log.With().Str("source", "kurrentdb-client").Logger()
	return func(level kurrentdb.LogLevel, format string, args ...any) {
		sub.Debug().Str("clientLevel", level).Msgf(format, args...)
	}
}

// begin registers an operation, or fails with ErrClosed. The context it
// returns ends with ctx or with Close; done must be called.
func (s *Store) begin(ctx context.Context) (context.Context, func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, event.ErrClosed
	}
	s.ops.Add(1)
	opCtx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.life, cancel)
	return opCtx, func() {
		stop()
		cancel()
		s.ops.Done()
	}, nil
}

// fail says why an operation under ctx failed with err: ErrClosed if the
// store closed, ctx's error if the caller gave up, err otherwise.
func (s *Store) fail(ctx context.Context, err error) error {
	if _, ok := ctx.Deadline(); ok && isDeadline(err) {
		// gRPC runs its own timer for ctx's deadline and may fire a moment
		// before ctx reports it.
		select {
		case <-ctx.Done():
		case <-time.After(deadlineSkew):
		}
	}
	switch {
	case s.life.Err() != nil:
		return event.ErrClosed // err is only the read Close cut short
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return err
}

// deadlineSkew is how long fail waits for ctx to report a deadline that
// gRPC reported already.
const deadlineSkew = 50 * time.Millisecond

// isDeadline reports a call that gRPC ended at its deadline.
func isDeadline(err error) bool {
	return hasCode(err, kurrentdb.ErrorCodeDeadlineExceeded) || errors.Is(err, context.DeadlineExceeded)
}

// Close ends reads and live subscriptions, waits for appends already sent,
// and closes the connection. Idempotent.
func (s *Store) Close() error {
	s.once.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.end()
		s.ops.Wait()
		_ = s.db.Close()
		s.log.Info().Msg("event store closed")
	})
	return nil
}

// Head is the position of the store's last event: $all is read backwards
// until an event of the store's prefix appears, so it costs one read when
// the store's events are the latest, and a walk over everything else
// written since otherwise (all of $all for an empty store).
func (s *Store) Head(ctx context.Context) (event.Position, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	opCtx, done, err := s.begin(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	var from kurrentdb.AllPosition = kurrentdb.End{}
	var seen *kurrentdb.Position // the record a read from a position may repeat
	for {
		count := s.cfg.ReadPageSize
		if seen != nil {
			count++
		}
		recs, err := s.readAllRecords(opCtx, kurrentdb.Backwards, from, count)
		if err != nil {
			return 0, s.fail(ctx, fmt.Errorf("reading $all backwards: %w", err))
		}
		fresh := 0
		for _, r := range recs {
			if seen != nil && r.Position == *seen {
				continue
			}
			fresh++
			if _, ours := s.names.domain(r.StreamID); ours {
				return position(r.Position)
			}
		}
		if fresh == 0 || len(recs) < count {
			return 0, nil
		}
		last := recs[len(recs)-1].Position
		seen, from = &last, last
	}
}

// lastAllPosition is the position of the last record in $all, of any
// stream; the zero Position if $all is empty.
func (s *Store) lastAllPosition(ctx context.Context) (kurrentdb.Position, error) {
	recs, err := s.readAllRecords(ctx, kurrentdb.Backwards, kurrentdb.End{}, 1)
	if err != nil || len(recs) == 0 {
		return kurrentdb.Position{}, err
	}
	return recs[0].Position, nil
}

// readAllRecords reads up to count records of $all from from.
func (s *Store) readAllRecords(ctx context.Context, dir kurrentdb.Direction, from kurrentdb.AllPosition, count int) ([]*kurrentdb.RecordedEvent, error) {
	rs, err := s.db.ReadAll(ctx, kurrentdb.ReadAllOptions{Direction: dir, From: from}, uint64(count))
	if err != nil {
		return nil, err
	}
	return drain(rs, count)
}

// drain reads a read's records to its end.
func drain(rs *kurrentdb.ReadStream, sizeHint int) (out []*kurrentdb.RecordedEvent, err error) {
	defer rs.Close()
	// The client panics on a read response it does not know (a newer
	// server's); that is the server's input, so it is an error here.
	defer func() {
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("kurrentdb client: unexpected read response: %v", r)
		}
	}()
	out = make([]*kurrentdb.RecordedEvent, 0, min(sizeHint, 1024))
	for {
		ev, err := rs.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		if r := ev.OriginalEvent(); r != nil {
			out = append(out, r)
		}
	}
}
