// Command ledgermirror is the node's single binary: it loads configuration,
// chooses adapters from it and wires them together. It is the only place that
// knows which adapters exist.
//
// Exit codes: 0 success, 1 a runtime failure, 2 bad usage or configuration,
// 130 interrupted.
package main
