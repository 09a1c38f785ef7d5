// Package network wires member nodes from their configuration: the event
// store, the chain connector (follower and pinner per namespace), the
// aggregator per namespace, the messaging node, the data-exchange endpoint
// with its shared storage and blob store, and the API. It is the one place
// adapters are chosen and handed to the domain. `ledgermirror serve` runs
// one Member; `ledgermirror dev`, the end-to-end tests and `bench e2e` run a
// Network of several sharing one embedded chain.
package network
