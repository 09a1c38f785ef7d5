package kurrentdb

import (
	"context"
	"fmt"

	"github.com/google/uuid"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// Append claims the ids, judges the append against what the stream may
// hold of them, and appends with the stream's revision as read as the
// condition, so that the judgement still holds when the events land; if the
// stream moved in between, it judges again (see doc.go).
func (s *Store) Append(ctx context.Context, stream string, expected event.ExpectedRevision, events ...event.Proposed) (event.AppendResult, error) {
	if err := event.ValidateAppend(stream, expected, events); err != nil {
		return event.AppendResult{}, err
	}
	data := make([]kurrentdb.EventData, len(events))
	for i, p := range events {
		d, err := toEventData(p)
		if err != nil {
			return event.AppendResult{}, fmt.Errorf("%w: %w", event.ErrInvalidEvent, err)
		}
		data[i] = d
	}
	if err := ctx.Err(); err != nil {
		return event.AppendResult{}, err
	}
	opCtx, done, err := s.begin(ctx)
	if err != nil {
		return event.AppendResult{}, err
	}
	defer done()

	current, err := s.lastRevision(opCtx, stream)
	if err != nil {
		return event.AppendResult{}, s.fail(ctx, err)
	}
	fresh, err := s.claim(opCtx, stream, events)
	if err != nil {
		return event.AppendResult{}, s.fail(ctx, err)
	}
	// Events up to judged cannot hold the ids. When every id was claimed
	// just now, none was stored before the claims, and current was read
	// before them; otherwise (a retry, or a failed attempt's claims) the
	// whole stream is looked at.
	var judged event.Revision
	if fresh {
		judged = current
	}
	var seen []event.Event
	for {
		newer, err := s.readStream(opCtx, stream, judged, 0)
		if err != nil {
			return event.AppendResult{}, s.fail(ctx, err)
		}
		seen = append(seen, newer...)
		if len(newer) > 0 {
			judged = newer[len(newer)-1].Revision
		}
		current = max(current, judged)
		if res, dup, err := judge(stream, seen, events); err != nil || dup {
			return res, err
		}
		if !expected.Allows(current) {
			return event.AppendResult{}, &event.WrongRevisionError{Stream: stream, Expected: expected, Actual: current}
		}
		// The last moment to give up: from here on the append is sent and
		// its answer awaited whatever ctx does.
		if err := opCtx.Err(); err != nil {
			return event.AppendResult{}, s.fail(ctx, err)
		}
		res, err := s.send(ctx, stream, current, data)
		if hasCode(err, kurrentdb.ErrorCodeWrongExpectedVersion) {
			s.log.Debug().Str("stream", stream).Uint64("revision", uint64(current)).Msg("stream moved during the append; judging again")
			continue
		}
		return res, err
	}
}

// lastRevision is the revision of the stream's last event, 0 if none.
func (s *Store) lastRevision(ctx context.Context, stream string) (event.Revision, error) {
	name := s.names.stream(stream)
	rs, err := s.db.ReadStream(ctx, name, kurrentdb.ReadStreamOptions{Direction: kurrentdb.Backwards, From: kurrentdb.End{}}, 1)
	var recs []*kurrentdb.RecordedEvent
	if err == nil {
		recs, err = drain(rs, 1)
	}
	switch {
	case isNotFound(err):
		return 0, nil
	case err != nil:
		return 0, fmt.Errorf("reading the end of stream %q: %w", name, err)
	case len(recs) == 0:
		return 0, nil
	}
	return revisionOf(recs[0].EventNumber), nil
}

// send appends data to stream at revision current and reads back where the
// events landed, on a context that ignores ctx's end and Close and lasts
// Config.AppendTimeout.
func (s *Store) send(ctx context.Context, stream string, current event.Revision, data []kurrentdb.EventData) (event.AppendResult, error) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.cfg.AppendTimeout)
	defer cancel()
	name := s.names.stream(stream)
	if _, err := s.db.AppendToStream(wctx, name, kurrentdb.AppendToStreamOptions{StreamState: streamState(current)}, data...); err != nil {
		if hasCode(err, kurrentdb.ErrorCodeWrongExpectedVersion) {
			return event.AppendResult{}, err
		}
		return event.AppendResult{}, fmt.Errorf("appending to stream %q (if the server did not answer, the outcome is unknown; a retry is safe): %w", name, err)
	}
	landed, err := s.readStream(wctx, stream, current, len(data))
	if err != nil {
		return event.AppendResult{}, fmt.Errorf("appended to stream %q, but reading the events back failed (a retry returns them): %w", name, err)
	}
	if len(landed) != len(data) || landed[0].ID != data[0].EventID || landed[len(landed)-1].ID != data[len(data)-1].EventID {
		return event.AppendResult{}, fmt.Errorf("appended to stream %q, but the events read back after revision %d are not the ones appended", name, current)
	}
	return event.AppendResult{
		FirstPosition: landed[0].Position,
		LastPosition:  landed[len(landed)-1].Position,
		Revision:      landed[len(landed)-1].Revision,
	}, nil
}

// judge decides an append by what stream holds: a new append (dup false,
// err nil), an idempotent retry (dup true and the original result), or a
// *DuplicateEventIDError when an id is stored with other content or only
// some of the ids are stored.
func judge(stream string, stored []event.Event, events []event.Proposed) (res event.AppendResult, dup bool, err error) {
	byID := make(map[uuid.UUID]event.Event, len(stored))
	for _, e := range stored {
		byID[e.ID] = e
	}
	found := 0
	var missing *event.Proposed
	for i, p := range events {
		e, ok := byID[p.ID]
		if !ok {
			if missing == nil {
				missing = &events[i]
			}
			continue
		}
		if !event.SameContent(e, stream, p) {
			return event.AppendResult{}, false, &event.DuplicateEventIDError{ID: p.ID, Reason: fmt.Sprintf("stored in stream %q with other content", stream)}
		}
		found++
		if found == 1 || e.Position < res.FirstPosition {
			res.FirstPosition = e.Position
		}
		if e.Position > res.LastPosition {
			res.LastPosition, res.Revision = e.Position, e.Revision
		}
	}
	switch {
	case found == 0:
		return event.AppendResult{}, false, nil
	case missing != nil:
		return event.AppendResult{}, false, &event.DuplicateEventIDError{ID: missing.ID, Reason: fmt.Sprintf("a retry of an append to stream %q with ids that were not in it", stream)}
	}
	res.Duplicate = true
	return res, true, nil
}
