// Package kurrentdb is the KurrentDB (EventStoreDB) event store:
// domain/event.Store on a KurrentDB (or EventStoreDB) server, opened with Open(ctx, Config, zerolog.Logger) through the official
// gRPC client, github.com/kurrent-io/KurrentDB-Client-Go (v1.4.2). The
// contract suite in test/contract/eventstore runs against it when
// LM_ESDB_URL names a server, with Features.PositionGaps (below). No server
// was available where it was written, so it has not run against one yet.
// What has run: the unit tests, and the whole suite through the real client
// against kdbfake, an in-memory stand-in for the gRPC Streams API that
// behaves as this comment says KurrentDB does; that checks the store's
// logic, not those assumptions about the server.
//
// # Streams, events and records
//
// A domain stream s is the KurrentDB stream Config.StreamPrefix + s
// ("ledgermirror/message-1"); reads of $all keep only records of streams
// with the prefix, so stores may share a database under different prefixes
// (the contract tests use one per test). An event is one KurrentDB record:
//
//	event id      the record's event id
//	type, version the record's event type, event.TypeVersion: "MessageSubmitted.v1"
//	data          the record's data, content type JSON, as appended
//	metadata      the record's metadata: event.Metadata as a JSON object
//	              ({"correlationId":...,"causationId":...,"node":...,"namespace":...},
//	              empty fields left out)
//	revision      the record's event number + 1 (KurrentDB counts from 0)
//	position      the record's $all commit position (below)
//	recorded      the record's created time, UTC, 100ns resolution
//
// # Positions
//
// event.Position is the commit position of the record in $all: the byte
// offset of the record in the server's log. The adapter assumes that
// records appended through the gRPC API commit by themselves, so that their
// commit and prepare positions are equal and a commit position names one
// record (only the legacy TCP explicit transactions wrote records where
// they differ). The assumption is checked on every record read: one where
// they differ is an error, not a guess. Positions are strictly increasing in $all order and a reader that
// has seen N never later sees a new event below N (the log has one
// writer). They are not contiguous: consecutive events are hundreds of
// bytes apart, and other streams' records (system streams, other prefixes,
// the id claims below) lie between them. So callers must compare positions,
// never count them: "p+1 is the next event" is false, and "wait until
// applied >= head" is right because Head is the position of an actual
// event that subscriptions deliver. The projections runner already
// tolerates a store whose positions skip, and the messaging node's
// readiness check compares with >=.
//
// ReadAll and Subscribe take any position; one this store handed out (or
// 0) is a record boundary the server reads from directly. For any other
// (the contract suite passes small numbers and numbers beyond the head),
// the server may refuse the read; the store then returns nothing if the
// position is beyond the end of $all, and otherwise reads from the start of
// $all, skipping what is not after it.
//
// # Appends
//
// KurrentDB's own idempotency (a re-sent event id with the same expected
// version is ignored) does not give the contract: it holds only for a
// recent window of writes, ignores content, and accepts the same id in
// another stream. KurrentDB has no index by event id either. So Append
// judges for itself, in three steps:
//
//  1. It reads the stream's last revision, then claims each id by creating
//     the stream <prefix without its slash>#ids/<id> (condition NoStream)
//     holding {"stream": s}. A claim that exists for another stream is a
//     *event.DuplicateEventIDError.
//  2. If it created every claim, no event with one of the ids can be
//     stored (every append claims first), so only what was appended to the
//     stream since the revision it read needs a look. Otherwise (a retry,
//     or the claims of an attempt that failed) it reads the whole stream.
//     It then decides as event.Store says: an idempotent retry returns the
//     original positions and revision; an id with other content, or only
//     some ids stored, is a *event.DuplicateEventIDError; then the caller's
//     expected revision is checked against the revision read.
//  3. It appends with the revision it read as the condition
//     (kurrentdb.NoStream or kurrentdb.Revision(n-1)); if anything was
//     appended in between, the server refuses, and Append reads what was
//     added and judges again. The caller's Any, NoStream and Exact are thus
//     all checked against a stream that cannot change before the events
//     land.
//
// A new append costs, besides the append itself, a read of the stream's
// end, one claim per event (16 at a time) and two short reads; a retry
// reads the whole stream, which for the long-lived streams (pin-<chain>,
// aggregator-<ns>) grows with them. A claim and the append are two writes,
// not one transaction, so claims are never withdrawn: an append that
// failed (wrong revision, cancelled, crashed, partial retry) leaves its
// ids claimed for its stream. The ids can still go to that stream, not to
// another; with random UUIDs that does not happen in practice. Claim
// streams lie outside every store's prefix, so reads never see them. The
// argument needs every write to the store's streams to come through this
// adapter, the claim streams to be kept (no $maxAge or scavenging of
// them), and reads from the leader (the connection string's default
// nodePreference).
//
// Once sent, an append is not abandoned: it runs on a context that ignores
// the caller's cancellation and Close, bounded by Config.AppendTimeout, so
// a result means stored and ctx.Err() means not sent. The events' positions
// are read back from the stream (one more round trip) because the append's
// reply carries only the last one. Close waits for appends in flight.
//
// # Reads and subscriptions
//
// ReadStream and ReadAll read in pages of Config.ReadPageSize. ReadAll
// walks $all and drops other streams' records on the client (the gRPC read
// of $all has no server-side filter), so on a database shared with busy
// other writers it reads more than it returns; Head walks $all backwards
// to the store's last event (all of it, for an empty store). A database of
// its own, or the store's prefix being most of it, keeps both cheap. The
// connection needs read access to $all.
//
// A subscription notes the last record of $all, catches up with ReadAll's
// pages until one comes back empty, then subscribes to $all, filtered on
// the server by the store's prefix plus Filter.StreamPrefix, from the later
// of that record and the last event it passed. Everything committed after
// the catch-up's last read lies after that position, so the switch loses
// nothing, and every record at or below the last position passed is
// dropped, so it repeats nothing. Filter.Types is applied on the client.
//
// # Instances
//
// Several Stores may share a prefix as far as the store goes (every check
// is made by the server), but the member's leader election is
// Postgres-only, so a member on KurrentDB runs as one instance.
package kurrentdb
