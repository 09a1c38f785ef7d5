package sqlite

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// With the polling safety net an hour away, live events can only arrive
// through the writer's commit notification.
func TestLiveDeliveryIsWokenByCommits(t *testing.T) {
	s := openTest(t, Config{PollInterval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub, err := s.Subscribe(ctx, 0, event.Filter{})
	require.NoError(t, err)
	defer sub.Close()

	for i := range 20 {
		start := time.Now()
		res, err := s.Append(ctx, "live", event.Any(), proposed(1)...)
		require.NoError(t, err)
		select {
		case e := <-sub.Events():
			assert.Equal(t, res.FirstPosition, e.Position)
			assert.Less(t, time.Since(start), 500*time.Millisecond, "event %d", i)
		case <-time.After(2 * time.Second):
			t.Fatalf("event %d not delivered live", i)
		}
	}
}
