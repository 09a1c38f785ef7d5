package kurrentdb

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/google/uuid"
	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// claimType is the type of the one event of a claim stream.
const claimType = "EventIDClaimed.v1"

// maxClaimsInFlight bounds the claims one append makes at once.
const maxClaimsInFlight = 16

// idClaim is the body of a claim: the domain stream the id was appended to.
type idClaim struct {
	Stream string `json:"stream"`
}

// claim makes sure no other stream holds, or is being given, an event with
// one of the ids: each id is claimed for stream by creating the stream
// <claimPrefix><id> (condition NoStream). A claim found for the same stream
// is fine (a retry, a failed attempt, or a concurrent append of the same
// events, which the stream's own revision check settles); one for another
// stream is a *DuplicateEventIDError. fresh is whether every claim was
// created by this call, so that no event with one of the ids can have been
// stored before it. Claims are never withdrawn, even when the append then
// fails: see doc.go.
func (s *Store) claim(ctx context.Context, stream string, events []event.Proposed) (fresh bool, err error) {
	errs := make([]error, len(events))
	created := make([]bool, len(events))
	sem := make(chan struct{}, maxClaimsInFlight)
	var wg sync.WaitGroup
	for i, p := range events {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			created[i], errs[i] = s.claimOne(ctx, stream, p.ID)
		}()
	}
	wg.Wait()
	fresh = true
	for i, err := range errs {
		if err != nil {
			return false, err
		}
		fresh = fresh && created[i]
	}
	return fresh, nil
}

// claimOne claims id for stream; created is false when the claim existed.
func (s *Store) claimOne(ctx context.Context, stream string, id uuid.UUID) (created bool, err error) {
	name := s.names.claimPrefix() + id.String()
	body, err := json.Marshal(idClaim{Stream: stream})
	if err != nil {
		return false, fmt.Errorf("encoding the claim of event id %s: %w", id, err)
	}
	_, err = s.db.AppendToStream(ctx, name, kurrentdb.AppendToStreamOptions{StreamState: kurrentdb.NoStream{}},
		kurrentdb.EventData{EventID: uuid.New(), EventType: claimType, ContentType: kurrentdb.ContentTypeJson, Data: body})
	if err == nil {
		return true, nil
	}
	if !hasCode(err, kurrentdb.ErrorCodeWrongExpectedVersion) {
		return false, fmt.Errorf("claiming event id %s: %w", id, err)
	}
	rs, err := s.db.ReadStream(ctx, name, kurrentdb.ReadStreamOptions{From: kurrentdb.Start{}}, 1)
	var recs []*kurrentdb.RecordedEvent
	if err == nil {
		recs, err = drain(rs, 1)
	}
	if err != nil {
		return false, fmt.Errorf("reading the claim of event id %s: %w", id, err)
	}
	if len(recs) == 0 {
		return false, fmt.Errorf("the claim stream of event id %s exists but reads as empty", id)
	}
	var held idClaim
	if err := json.Unmarshal(recs[0].Data, &held); err != nil {
		return false, fmt.Errorf("reading the claim of event id %s: %w", id, err)
	}
	if held.Stream != stream {
		return false, &event.DuplicateEventIDError{ID: id, Reason: fmt.Sprintf("appended to stream %q", held.Stream)}
	}
	return false, nil
}
