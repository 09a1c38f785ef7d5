// Package e2ebench measures a whole network: three members of an in-process
// dev network (cmd/ledgermirror/network) sharing one embedded chain, talking
// over loopback HTTP, with messages sent through org1's REST API exactly as
// an application would send them.
//
// A message counts when every member it is meant for has appended its
// MessageConfirmed: the benchmark subscribes to each member's event store
// (MessageConfirmed and MessageRejected only), notes when each member's
// decision reached it, and never polls a message. The clock of a message
// starts just before its POST (for the paced phase, at the moment the pacer
// scheduled it, so a slow API counts against latency instead of slowing the
// load down) and stops when the last member it is meant for confirmed it.
// A rejection, a member that should not see a private message confirming it,
// a member that stops, or no confirmation for Options.Stall fails the run
// instead of reporting a figure.
//
// The phases run on the same network, in this order: idle (one message at a
// time), paced broadcast (open loop, a fixed rate), broadcast throughput
// (closed loop, as fast as Senders concurrent clients can push), private
// throughput (a group of org1 and org2). Each waits for all its messages
// before the next starts. The peak resident memory of the whole process is
// read last. `ledgermirror bench e2e` runs it and prints `BENCH name=value
// unit` lines.
package e2ebench
