package messaging_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/messaging"
)

// deliveryTo waits for the delivery operation to node to reach status.
func deliveryTo(t *testing.T, h *harness, node string, status messaging.OperationStatus) messaging.Operation {
	t.Helper()
	var found messaging.Operation
	require.Eventually(t, func() bool {
		ops, err := h.node.Operations(context.Background(), ns, 0, 1000)
		require.NoError(t, err)
		for _, op := range ops {
			if op.Type == messaging.OpSendBatch && op.Target == node && op.Status == status {
				found = op
				return true
			}
		}
		return false
	}, 5*time.Second, 2*time.Millisecond, "no %s delivery to %s", status, node)
	return found
}

func TestARefusedDeliveryFailsUntilRetried(t *testing.T) {
	h := started(t, messaging.Config{RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond})
	h.tr.setFail(&messaging.PeerError{Status: 400, Reason: "malformed envelope"})
	h.broadcast("orders", `{"n":1}`)
	failed := deliveryTo(t, h, "did:lm:node/org2/node1", messaging.OpFailed)
	assert.Equal(t, 1, failed.Attempts, "a refusal is not retried on its own")
	assert.Contains(t, failed.Error, "malformed envelope")

	h.tr.setFail(nil)
	_, err := h.node.RetryOperation(context.Background(), ns, failed.ID)
	require.NoError(t, err)
	done := deliveryTo(t, h, "did:lm:node/org2/node1", messaging.OpSucceeded)
	assert.Equal(t, failed.ID, done.ID)
	assert.Equal(t, 2, done.Attempts)

	_, err = h.node.RetryOperation(context.Background(), ns, failed.ID)
	assert.ErrorIs(t, err, messaging.ErrConflict, "a succeeded operation is not run again")
	_, err = h.node.RetryOperation(context.Background(), ns, uuid.New())
	assert.ErrorIs(t, err, messaging.ErrNotFound)
}

func TestAPeerThatDoesNotKnowUsYetIsRetried(t *testing.T) {
	h := started(t, messaging.Config{RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond})
	h.tr.setFail(&messaging.PeerError{Status: 401, Reason: "unknown sender"})
	h.broadcast("orders", `{"n":1}`)
	retrying := deliveryTo(t, h, "did:lm:node/org2/node1", messaging.OpRetrying)
	assert.Contains(t, retrying.Error, "unknown sender")
	h.tr.setFail(nil)
	done := deliveryTo(t, h, "did:lm:node/org2/node1", messaging.OpSucceeded)
	assert.Greater(t, done.Attempts, 1)
}

func TestOperationsSurviveARestart(t *testing.T) {
	h := started(t, messaging.Config{RetryMin: time.Millisecond, RetryMax: 5 * time.Millisecond})
	h.tr.setFail(errors.New("connection refused"))
	h.broadcast("orders", `{"n":1}`)
	retrying := deliveryTo(t, h, "did:lm:node/org2/node1", messaging.OpRetrying)
	h.close()

	h.tr.setFail(nil)
	h.openStore()
	h.start()
	done := deliveryTo(t, h, "did:lm:node/org2/node1", messaging.OpSucceeded)
	assert.Equal(t, retrying.ID, done.ID, "the restart resumes the same operation")
}
