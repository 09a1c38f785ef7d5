// Package leader decides which instance of a member does a piece of
// singleton work (a role: a namespace's batch assembly, chain listener and
// aggregator; one subscription's outbound delivery) when several instances
// of one member share a database. The Elector port grants roles as
// leases; Run does a role's work for as long as this instance holds it.
//
// Losing a lease ends the role's work and Run returns ErrLost, and the
// member stops with that error: a supervisor restarts it as a follower.
// Stopping is what keeps this simple and safe: the singleton work keeps
// state in memory (a namespace's unsealed messages, the pin worker's
// queue), and a restart rebuilds it from the log exactly as after a crash,
// a path the tests already walk. The event store's optimistic concurrency
// (the aggregator appends at an exact revision) stops a deposed leader that
// has not noticed yet from writing a second decision.
//
// Local is the elector of a member with one instance (an embedded event
// store): it grants every role at once. adapters/leader/postgres elects
// with PostgreSQL advisory locks.
package leader
