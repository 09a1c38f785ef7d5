// Package chainfollower tests the chain follower's run loop and the pinner
// against a real event store: events recorded per range, a restart that
// resumes exactly, a reorg recorded as removals, a second follower refused,
// pins retried while the node is down and recorded once, reverts recorded.
package chainfollower
