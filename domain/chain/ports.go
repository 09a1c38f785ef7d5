package chain

import (
	"context"
	"errors"
	"strconv"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Header is what the follower needs of a block header.
type Header struct {
	Number uint64
	// Hash is the block hash as the chain writes it (0x-prefixed lower-case
	// hex for the Ethereum family).
	Hash string
}

// Log is one BatchPin log, decoded. Logs of other contracts or that do not
// decode never reach the follower: the adapter drops and counts them.
type Log struct {
	BlockNumber uint64
	BlockHash   string
	TxHash      string
	TxIndex     uint32
	LogIndex    uint32
	Signer      protocol.SigningKey
	TxID        uuid.UUID
	BatchID     uuid.UUID
	BatchHash   protocol.Hash
	PayloadRef  string
	Contexts    []protocol.Hash
	Timestamp   uint64
}

// ErrNotFound is returned by HeaderByNumber for a height the chain does not
// have (yet, or any more after a reorg to a shorter chain).
var ErrNotFound = errors.New("not found on chain")

// Chain is the read side of a chain the follower needs. Implementations are
// safe for concurrent use; every method honours ctx and returns an error
// (never a partial answer) when the node is unreachable.
type Chain interface {
	// Name is the chain's name in events, e.g. "ethereum:1337".
	Name() string
	// Contract is the BatchPin contract address (or chaincode name).
	Contract() string
	// Head returns the newest block.
	Head(ctx context.Context) (Header, error)
	// HeaderByNumber returns the canonical block at height n, or ErrNotFound.
	HeaderByNumber(ctx context.Context, n uint64) (Header, error)
	// Logs returns the contract's BatchPin logs in blocks from..to
	// (inclusive) of the canonical chain, ordered by (block, tx, log).
	Logs(ctx context.Context, from, to uint64) ([]Log, error)
}

// Heads is an optional extension of Chain: a stream of new head
// notifications, so the follower moves as soon as a block arrives instead of
// polling. The channel is closed when ctx ends or the subscription fails.
type Heads interface {
	SubscribeHeads(ctx context.Context) (<-chan Header, error)
}

// PinRequest is one batch pin to put on chain (PROTOCOL.md, On-chain event).
type PinRequest struct {
	Namespace  string
	TxID       uuid.UUID
	BatchID    uuid.UUID
	BatchHash  protocol.Hash
	PayloadRef string
	// Contexts are the pins, in batch order: broadcast contexts or private
	// nonce pins.
	Contexts []protocol.Hash
}

// Submission is a BatchPin transaction signed by the node, as the pinner
// records it.
type Submission struct {
	Chain  string
	TxHash string
	Signer protocol.SigningKey
	// Nonce is the signer's transaction nonce the transaction carries.
	Nonce uint64
}

// SignedPin is a BatchPin transaction signed and not yet known to be sent.
// The pinner records it before it broadcasts it, so that a crash in between
// makes the next run send this same transaction, not a second one.
type SignedPin struct {
	Submission
	// Raw is the signed transaction as the chain's node takes it (for the
	// Ethereum family, the encoding eth_sendRawTransaction takes). Send
	// broadcasts it unchanged.
	Raw []byte
}

// ErrReverted wraps a *RevertError: the chain ran the transaction and it
// failed. Retrying the same request fails the same way.
var ErrReverted = errors.New("transaction reverted")

// ErrNonceTaken is returned (wrapped) by Submitter.Send when the node
// refuses the transaction because another transaction of the signer has its
// nonce (mined, or waiting in the node's pool): this transaction can never
// be mined, and the pin needs a new one.
var ErrNonceTaken = errors.New("the transaction's nonce is used by another transaction")

// RevertError says why a transaction reverted, as the chain reported it.
type RevertError struct {
	TxHash string
	Reason string
}

func (e *RevertError) Error() string {
	if e.TxHash == "" {
		return "transaction would revert: " + e.Reason
	}
	return "transaction " + e.TxHash + " reverted: " + e.Reason
}

// Unwrap lets errors.Is(err, ErrReverted) succeed.
func (e *RevertError) Unwrap() error { return ErrReverted }

// Submitter signs and sends batch pins from the node's signing key, in two
// steps so that the caller can record a transaction before it exists
// anywhere but in this process (see Pinner). Implementations are safe for
// concurrent use. Submit combines the two steps for callers that keep no
// record.
type Submitter interface {
	// Prepare builds and signs the BatchPin transaction for req without
	// sending it. It estimates gas and takes the nonce after the last
	// transaction this submitter sent, asking the node for the signer's
	// pending transaction count when it does not know it (at start, and
	// after a Send failed). It reserves nothing: a prepared transaction
	// that is never sent leaves no gap in the signer's nonces, and two
	// transactions prepared before either is sent carry the same nonce
	// (the second Send reports ErrNonceTaken), so callers prepare and send
	// one transaction at a time. A request the chain says would revert
	// returns a *RevertError (errors.Is ErrReverted) without signing; an
	// unreachable or failing node returns another error. ctx bounds the
	// call.
	Prepare(ctx context.Context, req PinRequest) (SignedPin, error)
	// Send broadcasts a prepared transaction, unchanged, and returns once
	// the node has it in its pool or in a canonical block (not once mined:
	// the follower observes it). It is idempotent: sending a transaction
	// the node already knows, pending or mined, succeeds and changes
	// nothing, so a caller that does not know whether an earlier Send got
	// through sends again. A transaction whose nonce another transaction
	// of the signer took returns an error wrapping ErrNonceTaken; an
	// unreachable or failing node returns another error, and the caller
	// sends the same transaction again later. ctx bounds the call.
	Send(ctx context.Context, tx SignedPin) error
	// Signer is the key transactions are signed with.
	Signer() protocol.SigningKey
}

// TxState is what the chain knows of a sent transaction.
type TxState int

const (
	// TxUnknown is a transaction the node has neither in its pool nor in a
	// canonical block. It was lost (the node restarted or dropped it, or a
	// reorg took its block away and it did not come back): send it again.
	TxUnknown TxState = iota
	// TxPending is in the node's pool, not mined yet.
	TxPending
	// TxMined is in a canonical block, and it succeeded.
	TxMined
	// TxReverted is in a canonical block, and it failed.
	TxReverted
)

func (s TxState) String() string {
	switch s {
	case TxUnknown:
		return "unknown"
	case TxPending:
		return "pending"
	case TxMined:
		return "mined"
	case TxReverted:
		return "reverted"
	}
	return "TxState(" + strconv.Itoa(int(s)) + ")"
}

// TxStatus is the state of a sent transaction.
type TxStatus struct {
	State TxState
	// BlockNumber is the block it was mined in (TxMined, TxReverted).
	BlockNumber uint64
	// Reason says why a TxReverted transaction failed, as the chain tells
	// it, or that the chain gave no reason; empty for the other states.
	Reason string
}

// Receipts is an optional extension of Submitter: what became of a sent
// transaction, so a submission that never got mined can be found and sent
// again. Implementations are safe for concurrent use.
type Receipts interface {
	// TxStatus reports the state of the transaction with this hash (as in
	// Submission.TxHash) on the node's canonical chain now; a later call may
	// answer differently (a pending transaction gets mined, a reorg takes a
	// block away). It reads only: calling it any number of times changes
	// nothing. An unreachable or failing node, or ctx ending, is an error,
	// never TxUnknown: TxUnknown means the node answered that it has no
	// such transaction.
	TxStatus(ctx context.Context, txHash string) (TxStatus, error)
}
