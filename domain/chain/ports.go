package chain

import (
	"context"
	"errors"

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

// Submission is a sent BatchPin transaction.
type Submission struct {
	Chain  string
	TxHash string
	Signer protocol.SigningKey
	// Nonce is the signer's transaction nonce it was sent with.
	Nonce uint64
}

// ErrReverted wraps a *RevertError: the chain ran the transaction and it
// failed. Retrying the same request fails the same way.
var ErrReverted = errors.New("transaction reverted")

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

// Submitter sends batch pins from the node's signing key.
type Submitter interface {
	// Submit sends one BatchPin transaction and returns once the chain node
	// accepted it into its pool (not once mined: the follower observes it).
	// It estimates gas and takes the next nonce of the signing key, so
	// concurrent calls, and other processes sending from the same key, do
	// not reuse a nonce. A request the chain says would revert returns a
	// *RevertError (errors.Is ErrReverted) without sending; an unreachable
	// or failing node returns another error, and the caller retries with
	// back-off. ctx bounds the whole call.
	Submit(ctx context.Context, req PinRequest) (Submission, error)
	// Signer is the key transactions are signed with.
	Signer() protocol.SigningKey
}
