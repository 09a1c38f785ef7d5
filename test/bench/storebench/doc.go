// Package storebench measures the event store on this machine: appends (one
// event per commit, and 100 per Append), reading everything back with ReadAll
// and with a catch-up subscription, and a baseline of plain batched INSERTs of
// the same rows into a bare table with the same SQLite settings, so the store's
// own overhead shows as a ratio that means the same on any machine.
//
// Every measurement starts from a fresh SQLite file in Options.Dir and uses
// realistic events: ~300-byte MessageSubmitted-like JSON bodies, random v4
// event ids, metadata with a correlation id, node and namespace, and one
// stream per aggregate ("message-<uuid>"). `ledgermirror bench store` runs it
// and prints `BENCH name=value unit` lines.
//
// With Options.Driver "postgres" the same figures are measured on the
// Postgres store, each in a fresh schema of Options.URL's database (dropped
// afterwards), the raw baseline is plain pipelined INSERTs into a bare table
// of that database, and store.append.concurrent is added: 8 goroutines
// appending one event per Append. Then query.messages.p50_ms, p99_ms and
// count.p99_ms: querybench.RunMessages on a Postgres read model of every
// projection in a schema of its own (Options.Queries; 1,000,000 messages
// by default), the same log, API and GET /messages mix as `bench query`
// on SQLite.
package storebench
