// Package resident measures a benchmark's memory the way its figures are
// defined: the process's peak resident set (VmHWM), and sampled peaks of its
// two parts, anonymous memory (the Go heap, SQLite's caches) and pages of
// mapped files (the search index's segments, the binary), which the kernel
// may drop. A Sampler can also keep a heap profile taken near the Go heap's
// peak, which says what held the memory when it mattered rather than after
// the run.
//
// It reads /proc/self/status, so it answers on Linux only; elsewhere the
// peak is an error and the samples are zero.
package resident
