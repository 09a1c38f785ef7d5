package kurrentdb

import (
	"context"
	"fmt"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// ReadStream reads the stream in pages of Config.ReadPageSize, so a huge
// limit costs nothing up front.
func (s *Store) ReadStream(ctx context.Context, stream string, after event.Revision, limit int) ([]event.Event, error) {
	if err := event.ValidateStream(stream); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opCtx, done, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	out, err := s.readStream(opCtx, stream, after, limit)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return out, nil
}

// readStream is ReadStream inside an operation.
func (s *Store) readStream(ctx context.Context, stream string, after event.Revision, limit int) ([]event.Event, error) {
	name := s.names.stream(stream)
	var out []event.Event
	for limit <= 0 || len(out) < limit {
		count := s.cfg.ReadPageSize
		if limit > 0 {
			count = min(count, limit-len(out))
		}
		rs, err := s.db.ReadStream(ctx, name, kurrentdb.ReadStreamOptions{From: fromStream(after)}, uint64(count))
		var recs []*kurrentdb.RecordedEvent
		if err == nil {
			recs, err = drain(rs, count)
		}
		if isNotFound(err) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("reading stream %q: %w", name, err)
		}
		for _, r := range recs {
			e, _, err := s.names.fromRecorded(r)
			if err != nil {
				return nil, err
			}
			out = append(out, e)
			after = e.Revision
		}
		if len(recs) < count {
			break
		}
	}
	return out, nil
}

// ReadAll reads $all forwards from after and keeps the store's events. A
// position this store did not hand out may not be a record boundary the
// server accepts; then the read starts again from the beginning of $all
// (or returns nothing if after is beyond its end), skipping up to after.
func (s *Store) ReadAll(ctx context.Context, after event.Position, limit int) ([]event.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	opCtx, done, err := s.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	if limit <= 0 {
		limit = s.cfg.ReadPageSize
	}
	out, err := s.readAll(opCtx, after, limit)
	if err != nil {
		return nil, s.fail(ctx, err)
	}
	return out, nil
}

// readAll is ReadAll inside an operation.
func (s *Store) readAll(ctx context.Context, after event.Position, limit int) ([]event.Event, error) {
	out, err := s.scanAll(ctx, allPosition(after), after, limit)
	if err == nil || after == 0 || ctx.Err() != nil {
		return out, err
	}
	last, lerr := s.lastAllPosition(ctx)
	if lerr != nil {
		return nil, fmt.Errorf("reading $all after %d: %w", after, err)
	}
	if uint64(after) >= last.Commit {
		return nil, nil
	}
	s.log.Warn().Uint64("after", uint64(after)).Err(err).Msg("$all refused a read from this position; reading from its start")
	return s.scanAll(ctx, kurrentdb.Start{}, after, limit)
}

// scanAll reads $all forwards from from, keeping up to limit of the store's
// events with a position above after. A read from a position may include
// the record there; a page asks for one more record to make up for it.
func (s *Store) scanAll(ctx context.Context, from kurrentdb.AllPosition, after event.Position, limit int) ([]event.Event, error) {
	var out []event.Event
	_, atStart := from.(kurrentdb.Start)
	repeatable := !atStart
	for len(out) < limit {
		count := s.cfg.ReadPageSize
		if repeatable {
			count++
		}
		recs, err := s.readAllRecords(ctx, kurrentdb.Forwards, from, count)
		if err != nil {
			return nil, fmt.Errorf("reading $all: %w", err)
		}
		for _, r := range recs {
			if r.Position.Commit <= uint64(after) {
				continue
			}
			e, ours, err := s.names.fromRecorded(r)
			if err != nil {
				return nil, err
			}
			if !ours {
				continue
			}
			out = append(out, e)
			if len(out) == limit {
				return out, nil
			}
		}
		if len(recs) < count {
			return out, nil
		}
		last := recs[len(recs)-1].Position
		if uint64(after) >= last.Commit && repeatable {
			return out, nil // no progress: nothing after the repeated record
		}
		from, after, repeatable = last, event.Position(max(uint64(after), last.Commit)), true
	}
	return out, nil
}
