package messaging

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// The node's use cases, by namespace: what the API calls. Writes wait for
// the log to be replayed (ErrNotReady until then), so nothing is decided on
// a half-built view.

func (n *Node) writable(ns string) (*Service, error) {
	s, err := n.Service(ns)
	if err != nil {
		return nil, err
	}
	if !n.ready.Load() {
		return nil, fmt.Errorf("%w: the node is replaying its event log", ErrNotReady)
	}
	return s, nil
}

// Broadcast records a broadcast message.
func (n *Node) Broadcast(ctx context.Context, ns string, req SendRequest) (MessageView, error) {
	s, err := n.writable(ns)
	if err != nil {
		return MessageView{}, err
	}
	return s.Broadcast(ctx, req)
}

// Private records a private message.
func (n *Node) Private(ctx context.Context, ns string, req SendRequest) (MessageView, error) {
	s, err := n.writable(ns)
	if err != nil {
		return MessageView{}, err
	}
	return s.Private(ctx, req)
}

// AwaitDecision waits for a message's decision.
func (n *Node) AwaitDecision(ctx context.Context, ns string, id uuid.UUID) (MessageView, error) {
	s, err := n.Service(ns)
	if err != nil {
		return MessageView{}, err
	}
	return s.AwaitDecision(ctx, id)
}

// Message returns a message.
func (n *Node) Message(ctx context.Context, ns string, id uuid.UUID) (MessageView, error) {
	s, err := n.Service(ns)
	if err != nil {
		return MessageView{}, err
	}
	return s.Message(ctx, id)
}

// StoreData records a data item.
func (n *Node) StoreData(ctx context.Context, ns string, in DataInput) (protocol.Data, error) {
	s, err := n.writable(ns)
	if err != nil {
		return protocol.Data{}, err
	}
	return s.StoreData(ctx, in)
}

// UploadBlob attaches a blob to a data item.
func (n *Node) UploadBlob(ctx context.Context, ns string, id uuid.UUID, name string, r io.Reader) (protocol.Data, error) {
	s, err := n.writable(ns)
	if err != nil {
		return protocol.Data{}, err
	}
	return s.UploadBlob(ctx, id, name, r)
}

// DefineDatatype broadcasts a datatype definition.
func (n *Node) DefineDatatype(ctx context.Context, ns string, req DatatypeRequest) (MessageView, error) {
	s, err := n.writable(ns)
	if err != nil {
		return MessageView{}, err
	}
	return s.DefineDatatype(ctx, req)
}

// Operations lists operations, newest first.
func (n *Node) Operations(ctx context.Context, ns string, skip, limit int) ([]Operation, error) {
	s, err := n.Service(ns)
	if err != nil {
		return nil, err
	}
	return s.Operations(ctx, skip, limit)
}

// RetryOperation retries an operation.
func (n *Node) RetryOperation(ctx context.Context, ns string, id uuid.UUID) (Operation, error) {
	s, err := n.Service(ns)
	if err != nil {
		return Operation{}, err
	}
	return s.RetryOperation(ctx, id)
}

// Digests returns a namespace's digests.
func (n *Node) Digests(ctx context.Context, ns string, withContexts bool) (Digests, error) {
	s, err := n.Service(ns)
	if err != nil {
		return Digests{}, err
	}
	return s.Digests(ctx, withContexts)
}
