// Package querybench measures the read side of a node on this machine: the
// projections rebuilding a read model from the event log, the REST API's
// collection queries on a large read model, and the search index.
//
// Everything is built from a generated log of one node (workload.go) made
// of the real event types through the real catalogue (catalogue.Default):
// the org registrations and groups, then batch after batch, a third sent by
// this node (MessageSubmitted with its data, BatchSealed, OperationRecorded,
// BatchDispatched, PinSubmitted) and the rest received from 19 peers
// (BatchReceived), each followed by its PinObserved, a ChainCheckpoint per
// block and the aggregator's MessageConfirmed (one message in 200
// MessageRejected in the rebuild's log). A fifth of the batches are private.
// Ids, topics, tags and data values are functions of the batch's number, so
// every run builds the same log.
//
//   - query.rebuild: the first Options.Events events of the log are
//     appended to a new SQLite event store; then a projections.Runner with
//     projections.All() projects them from position 0 into a new SQLite read
//     model, with the secondary indexes deferred and built at the end, as a
//     rebuild does. The figure is events per second until the read model is
//     caught up and indexed.
//   - query.messages.p50_ms, p99_ms: a read model of Options.Messages
//     messages, all confirmed, filled by the same runner and projectors
//     (the events handed to Runner.ApplyEvents directly), served by the real
//     API (api.New with WithReadModel) on a loopback port; a mix of GET
//     /messages queries (filters on columns, topics, ranges; several sorts;
//     first and later pages) sent by Options.Clients clients after a warm
//     up. query.messages.count.p99_ms is the same mix with count=true, which
//     visits every matching row, measured apart. RunMessages is this phase
//     alone on a read model of the caller's: `bench store --driver
//     postgres` runs it on a Postgres read model.
//   - query.search.index, query.search.p99_ms: the same messages as search
//     documents (their data's words as text), indexed through the search
//     port into the Bleve adapter, then a mix of searches one at a time.
//   - query.rss_mb: the peak resident memory of the whole process, all
//     phases included.
//
// `ledgermirror bench query` runs it and prints `BENCH name=value unit`
// lines.
package querybench
