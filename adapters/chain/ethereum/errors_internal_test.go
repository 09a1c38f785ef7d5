package ethereum

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestErrorClassification(t *testing.T) {
	reason, ok := revertReason(errors.New("execution reverted: batch too large"))
	assert.True(t, ok)
	assert.Equal(t, "batch too large", reason)
	reason, ok = revertReason(errors.New("Execution Reverted"))
	assert.True(t, ok)
	assert.Equal(t, "no reason given", reason)
	_, ok = revertReason(errors.New("dial tcp 127.0.0.1:8545: connection refused"))
	assert.False(t, ok)

	for _, msg := range []string{"nonce too low: next nonce 5, tx nonce 4", "replacement transaction underpriced"} {
		assert.True(t, nonceClash(errors.New(msg)), msg)
		assert.False(t, alreadyKnown(errors.New(msg)), msg)
	}
	for _, msg := range []string{"already known", "known transaction: 0xab"} {
		assert.True(t, alreadyKnown(errors.New(msg)), msg)
		assert.False(t, nonceClash(errors.New(msg)), msg)
	}
	assert.False(t, nonceClash(errors.New("insufficient funds for gas * price + value")))
	assert.False(t, alreadyKnown(errors.New("insufficient funds for gas * price + value")))
}
