// Package nats bridges subscription events to NATS JetStream: a Watermill
// publisher (watermill-nats) whose topic is the NATS subject. Every
// message is published with its Watermill id as the JetStream message id
// (Nats-Msg-Id; delivery makes it one per event and subscription), so that
// a redelivery within the stream's duplicate window is dropped by the
// server, and Publish returns once JetStream has stored it.
//
// A JetStream publish needs a stream that captures the subject; with
// Config.Stream set, NewPublisher creates that stream when it is missing
// (it never changes an existing one).
package nats
