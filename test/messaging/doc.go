// Package messaging_test tests the messaging pipeline of one node against
// the real SQLite event store, with the outbound ports (transport, shared
// storage, pinner) replaced by recorders the tests control: adaptive
// batching, private nonces, recovery after a restart, operations.
package messaging_test
