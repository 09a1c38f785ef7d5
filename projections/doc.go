// Package projections turns the event log into the read model applications
// query: one projector per kind of row (messages, data, batches, pins,
// identities, ...), each with a stable versioned name that is its
// checkpoint key. A Runner feeds the projectors from the event store and
// commits their rows together with their checkpoints, so a crash can never
// apply an event twice or skip one, and a rebuild from position 0 gives the
// same rows, byte for byte.
//
// The read model is a port (Store, Tx): adapters/readmodel/sqlite is the
// default, PostgreSQL comes later. Every table has a namespace column and a
// key column; its primary key is (namespace, key). Rows carry the typed
// columns queries filter and sort on (package query), and the document the
// API returns as is, so a query is one indexed SELECT and no re-encoding.
//
// Projectors are deterministic: they use only the events (positions,
// recorded times, payloads), never the clock or the order of a map.
package projections
