// Package gethnode runs a real go-ethereum node in developer mode for tests:
// the chain contract suite and the geth benchmark use it to check the
// Ethereum adapter against the same client production networks run.
//
// [Binary] installs the pinned geth release (the go-ethereum version of
// go.mod) into the repository's .tools/ directory once; concurrent test
// binaries wait on a lock file instead of building it twice. [Start] launches
// `geth --dev` on free loopback ports with its chain in a data directory
// under t.TempDir(), waits until it answers JSON-RPC, and stops it when the
// test ends. [Node.Restart] brings it back on the same ports with the chain
// kept, which is what "node down then up" tests need.
//
// geth is an outside service: when it cannot be built or started the test is
// skipped with the reason, unless LM_REQUIRE_SERVICES=1 (as in CI), where it
// fails.
package gethnode
