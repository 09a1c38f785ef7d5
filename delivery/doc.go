// Package delivery streams the node's app-facing event list to
// subscriptions: the Engine implements subscription.Streams over the read
// model's events table, which it reads by sequence (the event-store
// position, stable across replays and rebuilds), so a subscription can
// resume after any offset. Each stream holds at most one page of read-ahead
// rows and readAhead unacknowledged events, so a slow consumer costs a
// bounded amount of memory. Offsets are committed to the subscription's
// stream as events: an explicit ack (a WebSocket client's, an outbound
// router's once the webhook or broker took the event) before Ack returns,
// so that after a crash only events in flight and not acknowledged come
// again; auto-acknowledged streams (SSE, autoack) once a second.
//
// Subscriber wraps the streams as a Watermill message.Subscriber, for
// transports that run as handlers of a Watermill router (retry, throttle
// and poison middleware). The WebSocket and SSE transports in api/ read
// the streams directly: they have their own acks and back-pressure.
package delivery
