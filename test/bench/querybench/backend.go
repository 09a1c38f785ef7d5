package querybench

import (
	"context"
	"fmt"
	"io"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// readOnly is the API's Backend of the benchmark's server: a read model
// with no node behind it. The measured routes are read-model collections,
// which never reach the Backend; everything that would need a node answers
// that there is none, as a node still replaying its log does.
type readOnly struct{}

var errNoNode = fmt.Errorf("%w: the query benchmark serves a read model without a node", messaging.ErrNotReady)

func (readOnly) Broadcast(context.Context, string, messaging.SendRequest) (messaging.MessageView, error) {
	return messaging.MessageView{}, errNoNode
}

func (readOnly) Private(context.Context, string, messaging.SendRequest) (messaging.MessageView, error) {
	return messaging.MessageView{}, errNoNode
}

func (readOnly) AwaitDecision(context.Context, string, uuid.UUID) (messaging.MessageView, error) {
	return messaging.MessageView{}, errNoNode
}

func (readOnly) Message(context.Context, string, uuid.UUID) (messaging.MessageView, error) {
	return messaging.MessageView{}, errNoNode
}

func (readOnly) StoreData(context.Context, string, messaging.DataInput) (protocol.Data, error) {
	return protocol.Data{}, errNoNode
}

func (readOnly) UploadBlob(context.Context, string, uuid.UUID, string, io.Reader) (protocol.Data, error) {
	return protocol.Data{}, errNoNode
}

func (readOnly) DefineDatatype(context.Context, string, messaging.DatatypeRequest) (messaging.MessageView, error) {
	return messaging.MessageView{}, errNoNode
}

func (readOnly) RetryOperation(context.Context, string, uuid.UUID) (messaging.Operation, error) {
	return messaging.Operation{}, errNoNode
}

func (readOnly) Digests(context.Context, string, bool) (messaging.Digests, error) {
	return messaging.Digests{}, errNoNode
}

func (readOnly) Status(context.Context) (messaging.Status, error) {
	return messaging.Status{}, errNoNode
}
