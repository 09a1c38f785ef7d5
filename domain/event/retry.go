package event

import (
	"context"
	"errors"
	"time"
)

// Back-off bounds of RetryStorage.
const (
	storageRetryFirst   = 100 * time.Millisecond
	storageRetryLongest = 5 * time.Second
)

// RetryStorage runs write until it succeeds, fails with an error that is
// not ErrStorageUnavailable, or ctx ends (then it returns ctx's error),
// waiting between tries with back-off from 100 ms to 5 s. onRetry, when
// not nil, is told each failure that will be retried. Background writers
// (the aggregator, the chain listener, the projections) use it so that a
// full or read-only disk pauses them instead of stopping the node, and
// they go on where they were once the disk can be written again.
func RetryStorage(ctx context.Context, write func() error, onRetry func(error)) error {
	wait := storageRetryFirst
	for {
		err := write()
		if err == nil || !errors.Is(err, ErrStorageUnavailable) {
			return err
		}
		if onRetry != nil {
			onRetry(err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, storageRetryLongest)
	}
}
