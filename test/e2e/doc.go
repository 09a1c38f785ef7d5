//go:build integration

// Package e2e_test runs whole member networks and drives them only through
// their HTTP API, the way applications do: an in-process network of members
// sharing one embedded chain (concurrent senders, private groups, a
// non-member's lack of access, a forged data-exchange request, a member that
// catches up after a stop), the `ledgermirror dev` binary killed with
// SIGKILL and restarted on its data directory, and three `ledgermirror
// serve` processes sharing one `ledgermirror chain`.
//
// Every file is behind the build tag integration: the tests start many
// servers and subprocesses. Run them with
//
//	go test -race -count=1 -tags integration ./test/e2e/
//
// This file's package clause is why every file here must sort after
// "doc.go": go/build reads a directory's files in name order, and a
// "package e2e_test" in a _test.go file read before any other file is
// taken as the external test package of a package "e2e" that does not
// exist ("found packages e2e and e2e_test").
package e2e_test
