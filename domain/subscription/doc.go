// Package subscription is the model of application subscriptions: a named,
// durable filter over the node's app-facing event list (GET /events), a
// transport to deliver it on, and the offset up to which the application has
// acknowledged it.
//
// Subscriptions are themselves events (catalogue.SubscriptionCreated,
// Updated, Deleted, OffsetCommitted) in one stream per namespace and name;
// Log is the repository that folds them. The ports Repository and Streams are
// what the API consumes; the delivery engine implements Streams.
package subscription
