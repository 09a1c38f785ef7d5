// Package memlimit sets the process's soft memory limit (the Go runtime's
// GOMEMLIMIT, runtime/debug.SetMemoryLimit) from the node's configuration
// or the dev network's default, and leaves a limit the operator set in the
// environment alone.
//
// The limit bounds what the Go runtime holds: as the heap nears it the
// garbage collector runs sooner, instead of letting the heap grow to twice
// what is live (GOGC=100). It is soft: a live heap above it is not an
// error, the collector then spends at most about half the CPU and the heap
// grows. Memory outside the Go runtime (SQLite's page caches, mapped
// files) does not count against it.
package memlimit
