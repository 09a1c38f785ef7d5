// Package member wires one member node from its configuration: the event
// store, the chain connector (follower and pinner per namespace), the
// aggregator per namespace, the messaging node, the data-exchange endpoint
// with its shared storage and blob store, and the API. It is the only place
// adapters are chosen and handed to the domain; `ledgermirror serve` runs one
// member, `ledgermirror dev` several sharing one embedded chain.
package member
