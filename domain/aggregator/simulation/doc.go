// Package simulation is the evidence that the aggregator is deterministic. It
// generates random network histories (members, groups, batches, a chain with
// reorgs, and a fair share of adversity), turns a history into the input
// sequence one member's aggregator would see (chain events in chain order,
// off-chain arrivals interleaved at random), and judges those inputs with a
// reference model written straight from the rules in the aggregator's package
// documentation, independently of the aggregator itself.
//
// The reference model is deliberately slow and plain: it collects the final
// state (the pin logs left after removals, every batch, data item, blob and
// group held) and sweeps the pins in chain order, deciding whatever is
// decidable, until a sweep changes nothing. Because the rules only ever look
// backwards along the chain, what is decided is a function of that final state,
// which is exactly the determinism claim: an aggregator fed the same inputs in
// any arrival order, crashed and rebuilt at any point, must Fold to the same
// Outcome as Reference.
//
// # Modelling choices
//
//   - Chain order is (block, tx index, log index); a block holds one to four
//     BatchPin logs. Block numbers only grow, also across reorgs: a reorg
//     orphans the newest blocks that hold logs, and the logs in them come back
//     (in their original relative order, before any newer log) in blocks above
//     the old tip, or are dropped for good.
//   - For a reorg the connector emits PinRemoved for every log of the orphaned
//     blocks newest first (reverse chain order), then carries on with new
//     PinObserved events. ChainCheckpoint heads never go down.
//   - Private pins carry the nonces an honest author computes over the final
//     chain: per (author, private context), counting the author's earlier pins
//     there in chain order. A log that is later dropped for good carries the
//     nonces its author would have used at its place, so while it is on the
//     chain it takes the nonce that the author's next surviving pin reuses.
//     Deliberately wrong nonces are far out of range and never counted.
//   - Adversity is one kind per batch, so each expected rejection has one
//     reason; duplicate message ids are only produced on the same contexts
//     (a batch pinned twice, or a message re-sent in a new batch by its author),
//     never behind a wrong-nonce pin (the aggregator's documented limit).
//
// # Outcomes
//
// Fold turns an aggregator's output stream into an Outcome, Reference
// computes one; both hold per context the confirmed message hashes in pin
// order with the final digest, the decision standing for each (message id,
// batch id, log location) (the location is part of the key because a batch
// pinned twice is decided once per log: confirmed, then duplicate-message-id),
// and the registry. Fold also reports broken invariants as anomalies.
//
// # Comparing members
//
// Broadcast batches, definitions, data and blobs reach every member, so all
// members must agree exactly on the broadcast scope (broadcast contexts and
// decisions, and the registry). For a private group, members that hold every
// batch of the group pinned on the final chain must agree exactly on the group
// scope; a member that misses one of them (History marks it) or only holds its
// own batch on the group is compared with DiffCompatible: every context of one
// is a prefix of the other's, and decisions both made are equal.
package simulation
