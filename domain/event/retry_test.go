package event_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func TestRetryStorage(t *testing.T) {
	calls, retried := 0, 0
	err := event.RetryStorage(context.Background(), func() error {
		calls++
		if calls < 3 {
			return fmt.Errorf("disk full: %w", event.ErrStorageUnavailable)
		}
		return nil
	}, func(error) { retried++ })
	assert.NoError(t, err)
	assert.Equal(t, 3, calls)
	assert.Equal(t, 2, retried)

	other := errors.New("a bug")
	calls = 0
	err = event.RetryStorage(context.Background(), func() error { calls++; return other }, nil)
	assert.ErrorIs(t, err, other)
	assert.Equal(t, 1, calls, "other errors are not retried")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err = event.RetryStorage(ctx, func() error { return event.ErrStorageUnavailable }, nil)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}
