// Package aggregator turns the chain's pin order and the content a node
// received into one decision per pinned message: confirmed (with the contexts
// it advanced and their new digests) or rejected (with a reason). It is pure:
// Apply takes one input event and returns the events it decides, and the
// Runner feeds it from the event store and records what it returns.
//
// # Inputs and outputs
//
// Inputs (catalogue payloads of the aggregator's namespace; others are
// ignored): PinObserved, PinRemoved, ChainCheckpoint (chain head, for
// confirmations), BatchReceived (also for the node's own batches), DataReceived,
// BlobReceived, GroupKnown.
//
// Outputs: MessageConfirmed, MessageRejected, DecisionRevoked (a reorg took
// a decision's pin away), PinParked / PinUnparked, and, for confirmed
// definition messages, IdentityRegistered and DatatypeDefined. The registry is
// an output, not an input: it must change exactly at the chain position of the
// definition that changed it, on every member, which only the aggregator can
// guarantee.
//
// # The rules
//
// Pins are ordered by chain position (block, tx index, log index, index in
// the log's contexts). PinObserved events must arrive in that order; a reorg
// is a PinRemoved followed by new PinObserved events.
//
// A log with a payloadRef is a broadcast batch: each pin is its broadcast
// context. A log without one is private: each pin is a nonce pin. A private
// pin is placed on a context by value: for every private context C this node
// knows (it holds a batch on C and the member list of C's group) and every
// member org M of that group, the expected next pin of (C, M) is
// NoncePin(C, M, n) where n counts M's pins already placed on C. Walking the
// chain in order, a pin equal to an expected next pin is placed there and n
// moves on; a private pin equal to none is not placed. When a context becomes
// known, the pins observed before are placed as if it had been known all
// along. An unplaced private pin whose batch is not here is parked
// not-for-us: it blocks nothing.
//
// A message's pins are the log's pins for its (message, topic) pairs, in
// manifest order. A message is decided when: its log has the configured
// confirmations; its batch is here, with every data item and blob it lists
// (and, for a private batch, the group's member list); each of its placed
// pins is the first undecided pin on its context (a message's own earlier
// pins on the same context do not count); and no earlier pin on the
// namespace's definitions context (topic lm_definitions) that could change
// its judgement is undecided. A message is judged by the registry and
// datatypes as defined by definition messages pinned before it. An undecided
// earlier definition could change that judgement if the message uses a
// datatype, if its author was not registered before the first undecided
// definition, or if the definition is signed by a key its author has had
// (a definition can only change the org whose key signs it, or register a
// new org). Other messages do not wait, so one missing definition batch does
// not halt the namespace.
//
// A private batch waits for its group's member list even when something else
// is wrong with it, because the list is what makes its contexts known.
//
// It is rejected, consuming its pins, when (checked in this order, the first
// failure wins; batch-wide checks reject every message of the batch):
//   - the batch does not verify against the pinned batch hash
//     (protocol.VerifyBatch reasons), or its pin count differs from the log's;
//   - the log's kind (broadcast/private) differs from the batch's;
//   - the batch author is not registered before the pin (author-not-registered),
//     except an org definition registering its own author;
//   - the log's signer is not the author's registered key, or not the batch
//     key (wrong-signer);
//   - a private batch's author is not a member of its group (not-group-member);
//   - a pin is not the one the message owes on its context: a broadcast pin
//     that is not the topic's context (manifest-mismatch), a private pin not
//     placed on (context, author) (nonce-mismatch);
//   - an earlier-pinned message with the same id was already confirmed
//     (duplicate-message-id; a batch pinned twice is the common case). A
//     rejected message does not hold its id, so a batch rejected for a
//     fixable reason (its author registered late, say) can be pinned again;
//   - a data item fails its datatype's JSON schema, or names a datatype not
//     defined before the pin (datatype-invalid);
//   - a definition message is not on topic lm_definitions alone with one
//     data item holding a valid definition (invalid-content) or registers an org other than its author, a node
//     of another org, or a key already registered to another org
//     (wrong-signer).
//
// Otherwise it is confirmed: each context's digest takes the message hash
// (PROTOCOL.md, Digests). A confirmed definition registers its identity or
// datatype at the message's pin position.
//
// # Parking
//
// An undecided pin is parked with one reason, the first that applies:
// waiting-confirmations; not-for-us; blocked-by the previous undecided pin on
// its context; waiting-batch; waiting-data; nonce-mismatch (this pin is the
// message's problem, but a sibling pin still waits for its turn); blocked-by a
// sibling pin of the same message that is not first on its context;
// blocked-by the first undecided pin on the definitions context. A pin that is
// decided the moment it can be gets no parking events; a parked one gets
// PinParked when its reason changes and PinUnparked when it is decided or
// removed. Parking reasons are listed by View.Parked. Everything is event driven: an input re-examines only the pins it
// can unblock.
//
// # Reorgs
//
// PinRemoved rewinds every decision, placement and registration at or after
// the removed log's position (compensated by DecisionRevoked events), drops
// the log, and re-applies the remaining later logs in order. Reorgs remove the
// newest blocks, so the rewound tail is short. History needed to rewind is
// kept for Config.ReorgWindow blocks behind the chain head; a removal older
// than that returns ErrReorgTooDeep and the runner rebuilds from the log.
//
// # Memory
//
// With a ContentSource (the Runner gives one that reads the event store), a
// batch's parsed content is let go of as soon as every log pinning it is
// decided, and read back if a reorg re-admits such a log or the batch is
// pinned again; logs, pins and digest history are dropped once they are
// more than ReorgWindow blocks old. What stays for good is small: the ids of
// confirmed messages (for the duplicate check, behind a Bloom filter; about
// 40 bytes each, the pin log they share stored once), the registry, and
// private pins nobody here can place yet (of groups the node is not in),
// which compaction freezes into a compact form, ~80 bytes a pin, thawed if
// their batch or their context turns up (cold.go). The first and the last
// grow with every message: ~40 MB per million confirmed, ~80 MB per million
// private messages of other groups. Without a source (tests), content is
// kept.
//
// # Determinism
//
// The decisions are a function of the chain's pin order and the content held,
// not of arrival order: decisions on a context happen in pin order; the
// registry, datatypes and duplicate checks only look at what was pinned
// earlier. One known limit: two different messages with the same id on
// disjoint contexts are both judged without knowing of the other until both
// batches are here, so which one is a duplicate can depend on arrival order.
// An honest node never produces them (a re-pinned message has the same topics,
// so the same contexts). And a member that holds a tampered copy of a batch
// when its pin is decided rejects it; members holding the same copies decide
// the same.
//
// # Running it
//
// The Runner replays the whole log on start, feeding every input to a fresh
// aggregator in position order; decision events have ids derived from their
// input, so those already recorded are recognised and not appended again.
package aggregator
