// Package catalogue is the versioned list of domain events: for each event type,
// its current schema version, the Go payload it decodes into, and the upcasters
// that turn older stored versions into the current one. Stored events are never
// rewritten; an old version is upcast each time it is read.
//
// Every payload has a JSON schema in contracts/events/<Type>.v<N>.json, generated
// from the Go types (make generate) and checked by this package's tests, so the
// schema other tools read can never drift from what the node writes.
package catalogue

//go:generate go test -run TestEventSchemasAreCurrent -update .
