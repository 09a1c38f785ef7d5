// Package messaging is the sending and receiving half of a member node,
// written against ports only: it turns an application's request into
// DataStored and MessageSubmitted events, seals the node's messages into
// batches (adaptively, per namespace and group), dispatches sealed batches
// over the data exchange and shared storage, pins them through the chain
// port, and records what peers send. Every outbound action is an operation
// with a status, recorded as events and retried with back-off.
//
// The aggregator (package aggregator) decides what is confirmed; this package
// only feeds it: the node's own batches and the batches peers send become
// BatchReceived events like any other.
//
// The ports it declares: Transport (send to a peer node), SharedStorage (put
// and fetch broadcast payloads by reference), BlobStore (this node's blob
// bytes), and Inbox, which it implements for the data-exchange adapter to
// deliver what peers send.
package messaging
