// Package chainfollower tests the chain follower's run loop and the pinner
// against a real
// event store: events recorded per range, a restart that resumes exactly, a
// reorg recorded as removals, and a second follower refused.
package chainfollower
