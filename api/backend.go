package api

import (
	"context"
	"io"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Backend is what the API needs of the node; cmd/ledgermirror wires the
// node's implementation in. Errors wrap the messaging package's sentinels
// (ErrInvalidInput, ErrNotFound, ErrConflict, ErrUnknownNamespace,
// ErrNotReady, ErrTooLarge), which the error handler maps to HTTP statuses.
// Every method honours ctx.
type Backend interface {
	// Broadcast records a broadcast message and returns it pending.
	Broadcast(ctx context.Context, ns string, req messaging.SendRequest) (messaging.MessageView, error)
	// Private records a private message to req.Group and returns it pending.
	Private(ctx context.Context, ns string, req messaging.SendRequest) (messaging.MessageView, error)
	// AwaitDecision waits until the message is confirmed or rejected (or ctx
	// ends) and returns it.
	AwaitDecision(ctx context.Context, ns string, id uuid.UUID) (messaging.MessageView, error)
	// Message returns a message this node knows (sent or received).
	Message(ctx context.Context, ns string, id uuid.UUID) (messaging.MessageView, error)
	// StoreData records a data item (a JSON value, optionally typed).
	StoreData(ctx context.Context, ns string, in messaging.DataInput) (protocol.Data, error)
	// UploadBlob streams r as the blob of data item id, which no message
	// may use yet, and returns the item with its blob reference.
	UploadBlob(ctx context.Context, ns string, id uuid.UUID, name string, r io.Reader) (protocol.Data, error)
	// DefineDatatype broadcasts a datatype definition and returns its
	// message, pending.
	DefineDatatype(ctx context.Context, ns string, req messaging.DatatypeRequest) (messaging.MessageView, error)
	// RetryOperation schedules a failed or retrying operation now.
	RetryOperation(ctx context.Context, ns string, id uuid.UUID) (messaging.Operation, error)
	// Digests returns the namespace digests, with every context's running
	// digest when withContexts is set.
	Digests(ctx context.Context, ns string, withContexts bool) (messaging.Digests, error)
	// Status says how the node is.
	Status(ctx context.Context) (messaging.Status, error)
}
