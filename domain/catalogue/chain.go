package catalogue

import (
	"fmt"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// ChainLocation pins down one log on one chain. Pins are ordered by
// (BlockNumber, TxIndex, LogIndex), then by their position in the log's
// contexts.
type ChainLocation struct {
	// Chain names the chain, e.g. "ethereum:1337" or "fabric:mychannel".
	Chain string `json:"chain"`
	// Contract is the BatchPin contract address (or chaincode name).
	Contract    string `json:"contract"`
	BlockNumber uint64 `json:"blockNumber"`
	BlockHash   string `json:"blockHash"`
	TxHash      string `json:"txHash"`
	TxIndex     uint32 `json:"txIndex"`
	LogIndex    uint32 `json:"logIndex"`
}

// Validate checks every field.
func (l ChainLocation) Validate() error {
	if l.Contract == "" {
		return invalid("location.contract", "missing contract")
	}
	return firstError(
		requireChainName("location.chain", l.Chain),
		requireChainHash("location.blockHash", l.BlockHash),
		requireChainHash("location.txHash", l.TxHash),
	)
}

// Less orders locations as the chain does.
func (l ChainLocation) Less(o ChainLocation) bool {
	if l.BlockNumber != o.BlockNumber {
		return l.BlockNumber < o.BlockNumber
	}
	if l.TxIndex != o.TxIndex {
		return l.TxIndex < o.TxIndex
	}
	return l.LogIndex < o.LogIndex
}

func (l ChainLocation) String() string {
	return fmt.Sprintf("%s block %d tx %d log %d", l.Chain, l.BlockNumber, l.TxIndex, l.LogIndex)
}

// PinSubmitted records a BatchPin transaction this node signed to pin a
// batch, before it sends it. A later PinSubmitted for the same transaction
// id supersedes an earlier one whose transaction the chain can no longer
// mine (its nonce was taken by another transaction).
type PinSubmitted struct {
	Namespace string        `json:"namespace"`
	BatchID   uuid.UUID     `json:"batchId"`
	TxID      uuid.UUID     `json:"txId"`
	BatchHash protocol.Hash `json:"batchHash"`
	// Contexts are the bytes32 values sent on chain: broadcast contexts or
	// private nonce pins, in batch order.
	Contexts   []protocol.Hash     `json:"contexts"`
	PayloadRef string              `json:"payloadRef,omitempty"`
	Signer     protocol.SigningKey `json:"signer"`
	Chain      string              `json:"chain"`
	TxHash     string              `json:"txHash"`
	// Nonce is the signer's transaction nonce the transaction carries.
	Nonce uint64 `json:"nonce"`
	// RawTx is the signed transaction, in lower-case hex without 0x, as the
	// chain's node takes it. The pinner records it before it sends the
	// transaction, so a restart sends this same transaction again rather
	// than a second one. Absent in events recorded before it was
	// introduced, which were recorded once the transaction was sent.
	RawTx string `json:"rawTx,omitempty"`
}

// EventType implements Payload.
func (PinSubmitted) EventType() string { return "PinSubmitted" }

// Validate implements Payload.
func (p PinSubmitted) Validate() error {
	return firstError(
		requireNamespace(p.Namespace),
		requireID("batchId", p.BatchID),
		requireID("txId", p.TxID),
		requireHash("batchHash", p.BatchHash),
		requireHashes("contexts", p.Contexts),
		requireKey("signer", p.Signer),
		requireChainName("chain", p.Chain),
		requireChainHash("txHash", p.TxHash),
		optionalHex("rawTx", p.RawTx),
	)
}

// PinObserved records a BatchPin log the chain connector saw with enough
// confirmations. Its contexts are in on-chain order.
type PinObserved struct {
	Namespace  string              `json:"namespace"`
	Location   ChainLocation       `json:"location"`
	Signer     protocol.SigningKey `json:"signer"`
	TxID       uuid.UUID           `json:"txId"`
	BatchID    uuid.UUID           `json:"batchId"`
	BatchHash  protocol.Hash       `json:"batchHash"`
	PayloadRef string              `json:"payloadRef,omitempty"`
	Contexts   []protocol.Hash     `json:"contexts"`
	// Timestamp is the event's timestamp field (unix seconds, from the block).
	Timestamp uint64 `json:"timestamp"`
}

// EventType implements Payload.
func (PinObserved) EventType() string { return "PinObserved" }

// Validate implements Payload.
func (p PinObserved) Validate() error {
	return firstError(
		requireNamespace(p.Namespace),
		p.Location.Validate(),
		requireKey("signer", p.Signer),
		requireID("txId", p.TxID),
		requireID("batchId", p.BatchID),
		requireHash("batchHash", p.BatchHash),
		requireHashes("contexts", p.Contexts),
	)
}

// PinRemoved records that a previously observed log left the canonical chain.
type PinRemoved struct {
	Namespace string        `json:"namespace"`
	Location  ChainLocation `json:"location"`
	// Reason is why, e.g. "reorg".
	Reason string `json:"reason"`
}

// EventType implements Payload.
func (PinRemoved) EventType() string { return "PinRemoved" }

// Validate implements Payload.
func (p PinRemoved) Validate() error {
	if p.Reason == "" {
		return invalid("reason", "missing")
	}
	return firstError(requireNamespace(p.Namespace), p.Location.Validate())
}

// ChainCheckpoint records how far the chain listener has processed a chain, so
// a restart resumes exactly there.
type ChainCheckpoint struct {
	Chain       string `json:"chain"`
	Contract    string `json:"contract"`
	BlockNumber uint64 `json:"blockNumber"`
	BlockHash   string `json:"blockHash"`
}

// EventType implements Payload.
func (ChainCheckpoint) EventType() string { return "ChainCheckpoint" }

// Validate implements Payload.
func (c ChainCheckpoint) Validate() error {
	if c.Contract == "" {
		return invalid("contract", "missing contract")
	}
	return firstError(requireChainName("chain", c.Chain), requireChainHash("blockHash", c.BlockHash))
}

// PinFailed records that a batch pin will not go on chain as submitted: the
// chain said the transaction reverts (or reverted), so retrying is pointless.
type PinFailed struct {
	Namespace string    `json:"namespace"`
	BatchID   uuid.UUID `json:"batchId"`
	TxID      uuid.UUID `json:"txId"`
	Chain     string    `json:"chain"`
	// TxHash is set when the transaction was mined and reverted; empty when
	// the chain refused it before sending.
	TxHash string `json:"txHash,omitempty"`
	Reason string `json:"reason"`
}

// EventType implements Payload.
func (PinFailed) EventType() string { return "PinFailed" }

// Validate implements Payload.
func (p PinFailed) Validate() error {
	if p.Reason == "" {
		return invalid("reason", "missing")
	}
	if p.TxHash != "" {
		if err := requireChainHash("txHash", p.TxHash); err != nil {
			return err
		}
	}
	return firstError(requireNamespace(p.Namespace), requireID("batchId", p.BatchID), requireID("txId", p.TxID),
		requireChainName("chain", p.Chain))
}
