package kurrentdb

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kurrent-io/KurrentDB-Client-Go/kurrentdb"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// names turns domain stream names into KurrentDB stream names and back.
type names struct {
	// prefix is Config.StreamPrefix: every event stream of the store.
	prefix string
}

// stream is the KurrentDB stream of a domain stream.
func (n names) stream(domain string) string { return n.prefix + domain }

// domain is the domain stream of a KurrentDB stream, and whether the stream
// belongs to this store.
func (n names) domain(stream string) (string, bool) {
	if !strings.HasPrefix(stream, n.prefix) || len(stream) == len(n.prefix) {
		return "", false
	}
	return stream[len(n.prefix):], true
}

// claimPrefix is where the id claims live: the prefix with its slash turned
// into "#ids/", so outside the prefix (no domain stream can land there) and,
// since prefixes cannot contain '#', outside every other store's prefix.
func (n names) claimPrefix() string { return strings.TrimSuffix(n.prefix, "/") + "#ids/" }

// toEventData is what Append sends for p: the versioned type name, the JSON
// body as given and the metadata as a JSON object.
func toEventData(p event.Proposed) (kurrentdb.EventData, error) {
	meta, err := json.Marshal(p.Metadata)
	if err != nil {
		return kurrentdb.EventData{}, fmt.Errorf("event %s: encoding metadata: %w", p.ID, err)
	}
	return kurrentdb.EventData{
		EventID:     p.ID,
		EventType:   event.TypeVersion(p.Type, p.Version),
		ContentType: kurrentdb.ContentTypeJson,
		Data:        p.Data,
		Metadata:    meta,
	}, nil
}

// fromRecorded is the domain event of a record of one of the store's
// streams (ok=false for any other stream). A record of the store's streams
// that does not read as one of its events (a type name without version,
// metadata that is not JSON, a position whose commit and prepare parts
// differ) is an error, not something to skip.
func (n names) fromRecorded(r *kurrentdb.RecordedEvent) (e event.Event, ok bool, err error) {
	stream, ok := n.domain(r.StreamID)
	if !ok {
		return event.Event{}, false, nil
	}
	typ, version, err := parseTypeVersion(r.EventType)
	if err != nil {
		return event.Event{}, true, fmt.Errorf("stream %q event %d: %w", r.StreamID, r.EventNumber, err)
	}
	pos, err := position(r.Position)
	if err != nil {
		return event.Event{}, true, fmt.Errorf("stream %q event %d: %w", r.StreamID, r.EventNumber, err)
	}
	var meta event.Metadata
	if len(r.UserMetadata) > 0 {
		if err := json.Unmarshal(r.UserMetadata, &meta); err != nil {
			return event.Event{}, true, fmt.Errorf("stream %q event %d: metadata is not an event.Metadata object: %w", r.StreamID, r.EventNumber, err)
		}
	}
	return event.Event{
		ID:       r.EventID,
		Stream:   stream,
		Revision: revisionOf(r.EventNumber),
		Position: pos,
		Type:     typ,
		Version:  version,
		Recorded: r.CreatedDate.UTC(),
		Data:     json.RawMessage(r.Data),
		Metadata: meta,
	}, true, nil
}

// parseTypeVersion splits a stored type name, "MessageSubmitted.v1".
func parseTypeVersion(name string) (string, int, error) {
	i := strings.LastIndex(name, ".v")
	if i <= 0 {
		return "", 0, fmt.Errorf("event type %q has no version suffix", name)
	}
	v, err := strconv.Atoi(name[i+2:])
	if err != nil || v < 1 || event.TypeVersion(name[:i], v) != name {
		return "", 0, fmt.Errorf("event type %q: bad version suffix", name)
	}
	return name[:i], v, nil
}

// position is the event.Position of a record: its commit position. Every
// event appended through the gRPC API is committed by itself, so its commit
// and prepare positions are equal; only records of the legacy TCP explicit
// transactions differ, and this store never writes those. The check turns a
// broken assumption into an error rather than a misordered read.
func position(p kurrentdb.Position) (event.Position, error) {
	if p.Commit != p.Prepare {
		return 0, fmt.Errorf("commit position %d differs from prepare position %d (not an event this store wrote)", p.Commit, p.Prepare)
	}
	return event.Position(p.Commit), nil
}

// allPosition is where in $all a read or subscription after pos starts.
// Whether the server includes the record at pos or not, the callers skip
// every record at or below pos.
func allPosition(pos event.Position) kurrentdb.AllPosition {
	if pos == 0 {
		return kurrentdb.Start{}
	}
	return kurrentdb.Position{Commit: uint64(pos), Prepare: uint64(pos)}
}

// revisionOf is the event.Revision of a KurrentDB event number: KurrentDB
// counts from 0, the domain from 1.
func revisionOf(eventNumber uint64) event.Revision { return event.Revision(eventNumber + 1) }

// streamState is the condition an append sends once the store has read the
// stream at revision current: exactly that revision, so that nothing can be
// appended between the store's judgement and the append. The caller's own
// ExpectedRevision is checked against current before (see Append).
func streamState(current event.Revision) kurrentdb.StreamState {
	if current == 0 {
		return kurrentdb.NoStream{}
	}
	return kurrentdb.Revision(uint64(current) - 1)
}

// fromStream is where a read of a stream after revision after starts.
func fromStream(after event.Revision) kurrentdb.StreamPosition {
	if after == 0 {
		return kurrentdb.Start{}
	}
	// Revision after+1 is event number after.
	return kurrentdb.Revision(uint64(after))
}

// hasCode reports a client error with the code.
func hasCode(err error, code kurrentdb.ErrorCode) bool {
	var kerr *kurrentdb.Error
	return errors.As(err, &kerr) && kerr.IsErrorCode(code)
}

// isNotFound reports a read of a stream that does not exist.
func isNotFound(err error) bool { return hasCode(err, kurrentdb.ErrorCodeResourceNotFound) }
