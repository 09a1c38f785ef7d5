package postgres

import (
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// txBuffers holds one transaction's rows as column arrays (what the unnest
// INSERT binds), reused from group to group.
type txBuffers struct {
	n                                       int
	offs, revs                              []int64
	ids                                     [][16]byte
	streams, types                          []string
	versions                                []int32
	data                                    [][]byte
	correlation, causation, node, namespace []string
	streamNames                             []string
	streamRevisions                         []int64
	pending                                 map[uuid.UUID]struct{} // ids written by this transaction
	touched                                 map[string]int         // stream -> index in streamNames
}

func (b *txBuffers) reset() {
	b.n = 0
	b.offs, b.revs, b.ids = b.offs[:0], b.revs[:0], b.ids[:0]
	b.streams, b.types, b.versions = b.streams[:0], b.types[:0], b.versions[:0]
	clear(b.data)
	b.data = b.data[:0]
	b.correlation, b.causation, b.node, b.namespace = b.correlation[:0], b.causation[:0], b.node[:0], b.namespace[:0]
	b.streamNames, b.streamRevisions = b.streamNames[:0], b.streamRevisions[:0]
	if b.pending == nil {
		b.pending, b.touched = make(map[uuid.UUID]struct{}), make(map[string]int)
	}
	clear(b.pending)
	clear(b.touched)
}

// lockAndLookUp creates missing stream rows, locks the group's streams and
// reads their revisions, and reads every stored event with one of the
// group's ids, in a transaction it begins: one round trip.
func (b *txBuffers) lockAndLookUp(ctx context.Context, conn *pgx.Conn, live []*appendRequest) (map[string]event.Revision, map[uuid.UUID]event.Event, error) {
	names := make([]string, 0, len(live))
	var ids [][16]byte
	for _, r := range live {
		names = append(names, r.stream)
		for i := range r.events {
			ids = append(ids, r.events[i].ID)
		}
	}
	slices.Sort(names)
	names = slices.Compact(names)
	revisions := make(map[string]event.Revision, len(names))
	stored := map[uuid.UUID]event.Event{}
	batch := &pgx.Batch{}
	batch.Queue("BEGIN")
	batch.Queue(sqlCreateStreams, names)
	batch.Queue(sqlLockStreams, names).Query(func(rows pgx.Rows) error {
		var name string
		var rev int64
		_, err := pgx.ForEachRow(rows, []any{&name, &rev}, func() error {
			revisions[name] = event.Revision(rev)
			return nil
		})
		return err
	})
	batch.Queue(sqlStoredIDs, ids).Query(func(rows pgx.Rows) error {
		var e event.Event
		var rev, pos int64
		var version int32
		_, err := pgx.ForEachRow(rows, []any{&e.ID, &e.Stream, &rev, &pos, &e.Type, &version, &e.Data}, func() error {
			e.Revision, e.Position, e.Version = event.Revision(rev), event.Position(pos), int(version)
			stored[e.ID] = e
			e.Data = nil // the next row scans into a fresh slice
			return nil
		})
		return err
	})
	if err := conn.SendBatch(ctx, batch).Close(); err != nil {
		return nil, nil, fmt.Errorf("lock streams and look up event ids: %w", err)
	}
	return revisions, stored, nil
}

// judge decides one append against what is stored and what the group has
// written before it, and buffers its rows if it passes.
func (b *txBuffers) judge(r *appendRequest, revisions map[string]event.Revision, stored map[uuid.UUID]event.Event) {
	nStored := 0
	for i := range r.events {
		if _, ok := b.pending[r.events[i].ID]; ok {
			r.deferred = true
			return
		}
		if _, ok := stored[r.events[i].ID]; ok {
			nStored++
		}
	}
	if nStored > 0 {
		r.result, r.err = duplicate(r, stored, nStored)
		return
	}
	current := revisions[r.stream]
	if !r.expected.Allows(current) {
		r.err = &event.WrongRevisionError{Stream: r.stream, Expected: r.expected, Actual: current}
		return
	}
	first := b.n + 1
	for i := range r.events {
		p := &r.events[i]
		b.n++
		current++
		b.pending[p.ID] = struct{}{}
		b.offs = append(b.offs, int64(b.n))
		b.ids = append(b.ids, p.ID)
		b.streams = append(b.streams, r.stream)
		b.revs = append(b.revs, int64(current))
		b.types = append(b.types, p.Type)
		b.versions = append(b.versions, int32(p.Version))
		b.data = append(b.data, p.Data)
		b.correlation = append(b.correlation, p.Metadata.CorrelationID)
		b.causation = append(b.causation, p.Metadata.CausationID)
		b.node = append(b.node, p.Metadata.Node)
		b.namespace = append(b.namespace, p.Metadata.Namespace)
	}
	revisions[r.stream] = current
	idx, ok := b.touched[r.stream]
	if !ok {
		idx = len(b.streamNames)
		b.touched[r.stream] = idx
		b.streamNames = append(b.streamNames, r.stream)
		b.streamRevisions = append(b.streamRevisions, 0)
	}
	b.streamRevisions[idx] = int64(current)
	r.wrote = true
	r.result = event.AppendResult{FirstPosition: event.Position(first), LastPosition: event.Position(b.n), Revision: current}
}

// duplicate decides a retried append: every id stored in this stream with the
// same content makes it a no-op returning where the events are; anything
// else is a *event.DuplicateEventIDError.
func duplicate(r *appendRequest, stored map[uuid.UUID]event.Event, nStored int) (event.AppendResult, error) {
	if nStored < len(r.events) {
		var have, missing uuid.UUID
		for i := range r.events {
			if _, ok := stored[r.events[i].ID]; ok {
				if have == uuid.Nil {
					have = r.events[i].ID
				}
			} else if missing == uuid.Nil {
				missing = r.events[i].ID
			}
		}
		return event.AppendResult{}, &event.DuplicateEventIDError{ID: have, Reason: fmt.Sprintf(
			"already stored, but event %s of the same append is not: a retry must repeat the original append", missing)}
	}
	res := event.AppendResult{Duplicate: true}
	for _, p := range r.events {
		e := stored[p.ID]
		if !event.SameContent(e, r.stream, p) {
			reason := "already stored with different type, version or data"
			if e.Stream != r.stream {
				reason = fmt.Sprintf("already stored in stream %q", e.Stream)
			}
			return event.AppendResult{}, &event.DuplicateEventIDError{ID: p.ID, Reason: reason}
		}
		if res.FirstPosition == 0 || e.Position < res.FirstPosition {
			res.FirstPosition = e.Position
		}
		res.LastPosition = max(res.LastPosition, e.Position)
		res.Revision = max(res.Revision, e.Revision)
	}
	return res, nil
}
