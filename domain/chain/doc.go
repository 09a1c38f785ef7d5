// Package chain is what the node needs from a blockchain, as ports, the
// follower that turns a chain's BatchPin logs into the pin events the
// aggregator reads, and the pinner that puts this node's batch pins on
// chain.
//
// The follower is written against the Chain port only: it asks for the head,
// for headers and for the BatchPin logs of a block range, and decides what
// happened. It emits, in order, PinObserved for every log of a block once the
// block has the configured confirmations, PinRemoved for every log of a block
// that left the canonical chain (newest first), and a ChainCheckpoint after
// each range it finished. Those events are its whole state: a follower
// restored from them resumes exactly where it stopped, nothing missed and
// nothing twice.
//
// Reorgs are found by comparing the hash of the last block it processed with
// the chain's block at that height; when they differ it walks back through
// the blocks it remembers (the last Window blocks, and every block it
// observed a log in within them) to the newest one the chain still has, and
// removes what was observed above it. A reorg deeper than the confirmations
// is reported (it should not happen) and handled the same way; one deeper
// than the window removes everything the follower remembers and is reported
// as such.
//
// The pinner is write-ahead: it has the Submitter sign a transaction,
// records it (PinSubmitted, with the raw transaction) in the batch's stream,
// and only then has it broadcast. After a crash the recorded transaction is
// sent again, unchanged, which is harmless when the node has it already, so
// a batch is never pinned twice by a restart. A recorded transaction that
// can never be mined (the node lost it and another transaction of the
// signer took its nonce) is replaced by a new one, recorded as a further
// PinSubmitted that supersedes it. The pin events that order messages are
// the follower's PinObserved; PinSubmitted only tells the node what it sent.
package chain
