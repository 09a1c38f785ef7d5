//go:build integration

package e2e_test

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
)

// testNetwork is an in-process network with an API client per member. A
// member keeps its ports across StopMember and StartMember, so its client
// stays valid.
type testNetwork struct {
	*network.Network
	clients []*apiClient
	logs    *logBuffer
	dir     string
}

// memberDir is member i's (0-based) data directory.
func (n *testNetwork) memberDir(i int) string { return filepath.Join(n.dir, fmt.Sprintf("org%d", i+1)) }

// startNetwork starts members members on free ports in a temporary
// directory, waits until every member knows every other, and stops the
// network when the test ends (printing the members' warnings if it failed).
func startNetwork(t *testing.T, members int) *testNetwork {
	t.Helper()
	dir := t.TempDir()
	logs := &logBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	n, err := network.Start(ctx, network.Options{Members: members, DataDir: dir,
		Log: zerolog.New(logs).Level(zerolog.WarnLevel).With().Timestamp().Logger()})
	if err != nil {
		cancel()
		require.NoError(t, err, "starting the network")
	}
	// The network gives the process its default soft memory limit while it
	// runs, unless the environment sets one.
	limited := os.Getenv("GOMEMLIMIT") == ""
	if limited {
		assert.Equal(t, int64(network.DefaultMemoryLimitMiB(members))<<20, debug.SetMemoryLimit(-1))
	}
	t.Cleanup(func() {
		assert.NoError(t, n.Stop(), "stopping the network")
		if limited {
			assert.Equal(t, int64(math.MaxInt64), debug.SetMemoryLimit(-1), "Stop removes the limit")
		}
		cancel()
		if t.Failed() {
			t.Logf("member logs, warnings and errors (last %d bytes):\n%s", logBufferKeep, logs.String())
		}
	})
	ready, cancelReady := context.WithTimeout(ctx, time.Minute)
	defer cancelReady()
	require.NoError(t, n.WaitReady(ready), "waiting for every member to register")
	tn := &testNetwork{Network: n, logs: logs, dir: dir}
	for _, m := range n.Members() {
		tn.clients = append(tn.clients, newAPIClient(m.APIURL()))
	}
	return tn
}

// orgDID is member i's (0-based) org DID.
func orgDID(i int) string { return fmt.Sprintf("did:lm:org/org%d", i+1) }

// nodeDID is member i's (0-based) node DID.
func nodeDID(i int) string { return fmt.Sprintf("did:lm:node/org%d/node1", i+1) }

// logBufferKeep is how much of the members' log a failing test prints.
const logBufferKeep = 256 << 10

// logBuffer keeps the tail of what the members log, for a failing test's
// report; writing never fails, so a member never notices it.
type logBuffer struct {
	mu  sync.Mutex
	buf []byte
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > 2*logBufferKeep {
		b.buf = append([]byte(nil), b.buf[len(b.buf)-logBufferKeep:]...)
	}
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buf) > logBufferKeep {
		return string(b.buf[len(b.buf)-logBufferKeep:])
	}
	return string(b.buf)
}

// eventually calls check every 50 ms until it returns nil, and fails the
// test with check's last error if that does not happen within timeout.
func eventually(t *testing.T, timeout time.Duration, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := check()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			require.FailNowf(t, "timed out", "%s: not done after %s: %v", what, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// awaitConfirmed waits until every message of ids is confirmed on every
// client, polling only the pairs not yet confirmed. A rejected message
// fails the test at once.
func awaitConfirmed(t *testing.T, timeout time.Duration, clients []*apiClient, ids []string) {
	t.Helper()
	type pair struct {
		client int
		id     string
	}
	var pending []pair
	for c := range clients {
		for _, id := range ids {
			pending = append(pending, pair{c, id})
		}
	}
	eventually(t, timeout, fmt.Sprintf("%d messages confirmed on %d members", len(ids), len(clients)), func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		var still []pair
		var last error
		for _, p := range pending {
			v, err := clients[p.client].Message(ctx, p.id)
			switch {
			case err != nil:
				last = fmt.Errorf("org%d, message %s: %w", p.client+1, p.id, err)
				still = append(still, p)
			case v.State == "rejected":
				require.FailNowf(t, "message rejected", "org%d rejected message %s: %s", p.client+1, p.id, v.Reason)
			case v.State != "confirmed":
				last = fmt.Errorf("org%d, message %s: %s", p.client+1, p.id, v.State)
				still = append(still, p)
			}
		}
		pending = still
		if len(pending) > 0 {
			return fmt.Errorf("%d (member, message) pairs not confirmed yet, e.g. %w", len(pending), last)
		}
		return nil
	})
}

// allDigests reads every client's digests.
func allDigests(ctx context.Context, clients []*apiClient) ([]digests, error) {
	out := make([]digests, len(clients))
	for i, c := range clients {
		d, err := c.Digests(ctx)
		if err != nil {
			return nil, fmt.Errorf("org%d: %w", i+1, err)
		}
		out[i] = d
	}
	return out, nil
}

// awaitEqualBroadcastDigests waits until every client shows the same
// broadcast digest, covering at least minCount confirmations, and returns it.
func awaitEqualBroadcastDigests(t *testing.T, timeout time.Duration, clients []*apiClient, minCount uint64) digest {
	t.Helper()
	var agreed digest
	eventually(t, timeout, "equal broadcast digests", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ds, err := allDigests(ctx, clients)
		if err != nil {
			return err
		}
		for i, d := range ds {
			if d.Broadcast != ds[0].Broadcast {
				return fmt.Errorf("org1 %+v, org%d %+v", ds[0].Broadcast, i+1, d.Broadcast)
			}
		}
		if ds[0].Broadcast.Count < minCount {
			return fmt.Errorf("%d confirmations, want at least %d", ds[0].Broadcast.Count, minCount)
		}
		agreed = ds[0].Broadcast
		return nil
	})
	return agreed
}

// assertNoParkedPins checks that every client is ready with nothing parked.
func assertNoParkedPins(t *testing.T, clients []*apiClient) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for i, c := range clients {
		st, err := c.Status(ctx)
		if !assert.NoError(t, err, "org%d status", i+1) {
			continue
		}
		assert.True(t, st.Ready, "org%d ready", i+1)
		for _, ns := range st.Namespaces {
			assert.Zero(t, ns.ParkedPins, "org%d: parked pins in namespace %s", i+1, ns.Name)
		}
	}
}
