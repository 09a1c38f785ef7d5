//go:build integration

package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStoppedMemberCatchesUp stops org3, sends broadcasts while it is down,
// starts it again on its data directory and checks it confirms them all,
// ending with the same digests as the others.
func TestStoppedMemberCatchesUp(t *testing.T) {
	const messages = 50
	n := startNetwork(t, 3)
	ctx := context.Background()
	require.NoError(t, n.StopMember(2))

	var jobs []sendJob
	for i := range messages {
		jobs = append(jobs, sendJob{sender: 0, topics: []string{[]string{"a", "b", "c"}[i%3]},
			value: map[string]any{"while": "org3 is down", "i": i}})
	}
	sent := sendAll(t, n.clients, jobs, 4)
	require.Len(t, sent, messages)
	ids := make([]string, len(sent))
	for i, m := range sent {
		ids[i] = m.view.Header.ID
	}
	awaitConfirmed(t, 30*time.Second, n.clients[:2], ids)
	_, err := n.clients[2].Digests(ctx)
	require.Error(t, err, "org3 is down")

	require.NoError(t, n.StartMember(2))
	awaitConfirmed(t, 60*time.Second, n.clients, ids)
	ds, err := allDigests(ctx, n.clients)
	require.NoError(t, err)
	for i, d := range ds {
		assert.Equal(t, ds[0], d, "org%d digests", i+1)
	}
	assertNoParkedPins(t, n.clients)
}
