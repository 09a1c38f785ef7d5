// Package domain is the root of ledgermirror's model: the protocol values members
// agree on (package protocol), canonical JSON (package canonicaljson), the event
// envelope and the event-store port (package event) and the catalogue of domain
// events (package catalogue).
//
// Nothing under domain/ may import an adapter, the API, Echo, Watermill, a SQL
// driver or an Ethereum client; domain/imports_test.go enforces that rule.
package domain
