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
