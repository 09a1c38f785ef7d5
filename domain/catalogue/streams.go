package catalogue

import (
	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Stream names: one stream per aggregate, so optimistic concurrency guards each
// aggregate separately.

// MessageStream holds a message's life: submitted, confirmed or rejected.
func MessageStream(id uuid.UUID) string { return "message-" + id.String() }

// BatchStream holds a batch's life: sealed, dispatched, received.
func BatchStream(id uuid.UUID) string { return "batch-" + id.String() }

// DataStream holds a data item.
func DataStream(id uuid.UUID) string { return "data-" + id.String() }

// PinStream holds the pins observed and removed on one chain, in chain order.
func PinStream(chain string) string { return "pin-" + chain }

// CheckpointStream holds a chain listener's checkpoints.
func CheckpointStream(chain string) string { return "checkpoint-" + chain }

// IdentityStream holds an identity's registrations.
func IdentityStream(did string) string { return "identity-" + did }

// DatatypeStream holds a datatype's definition.
func DatatypeStream(namespace string, ref protocol.DatatypeRef) string {
	return "datatype-" + namespace + "-" + ref.Name() + "-" + ref.Version()
}

// GroupStream holds what this node learned about a private group.
func GroupStream(group protocol.Hash) string { return "group-" + group.String() }

// BlobStream holds the arrival of a blob's bytes.
func BlobStream(hash protocol.Hash) string { return "blob-" + hash.String() }

// AggregatorStream holds every decision of a namespace's aggregator, in the
// order it made them. It is one stream so a batch of decisions is appended
// atomically and a second aggregator for the namespace fails on the expected
// revision instead of deciding twice.
func AggregatorStream(namespace string) string { return "aggregator-" + namespace }

// ChainStream holds what a namespace's chain follower saw: PinObserved,
// PinRemoved and ChainCheckpoint, appended together per block range so a
// restart resumes exactly after the last range.
func ChainStream(namespace, chain string) string { return "chain-" + namespace + "-" + chain }

// OperationStream holds an operation's states.
func OperationStream(id uuid.UUID) string { return "operation-" + id.String() }

// PeerStream holds the data-exchange requests this node refused.
const PeerStream = "peers"
