// Package leader is the contract suite of the leader.Elector port: every
// elector runs it (Local in-process; the Postgres adapter against a real
// server).
package leader

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/leader"
)

// Harness builds electors for one test.
type Harness struct {
	// New returns an elector of a fresh scope; calling it again in one
	// test returns another instance of the same member (which for an
	// in-process elector may be the same elector). The suite closes them.
	New func(t *testing.T) leader.Elector
	// Sever cuts e off from whatever it elects with, as a crash or a
	// network failure would; nil when an elector cannot lose its leases
	// that way.
	Sever func(t *testing.T, e leader.Elector)
	// Lease is how long an elector may take to notice it lost a lease.
	Lease time.Duration
}

// Run runs the suite.
func Run(t *testing.T, h Harness) {
	t.Run("OneHolderPerRole", func(t *testing.T) { testOneHolder(t, h) })
	t.Run("RolesAreIndependent", func(t *testing.T) { testIndependent(t, h) })
	t.Run("CampaignHonoursContext", func(t *testing.T) { testContext(t, h) })
	t.Run("ReleaseIsIdempotent", func(t *testing.T) { testRelease(t, h) })
	t.Run("CloseLosesLeases", func(t *testing.T) { testClose(t, h) })
	t.Run("RunStopsWorkWhenLost", func(t *testing.T) { testRunLost(t, h) })
	t.Run("SeveredHolderIsReplaced", func(t *testing.T) { testSevered(t, h) })
}

func campaign(t *testing.T, e leader.Elector, role string) leader.Lease {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := e.Campaign(ctx, role)
	require.NoError(t, err)
	return l
}

// campaignAsync campaigns in the background and reports the lease.
func campaignAsync(ctx context.Context, e leader.Elector, role string) <-chan leader.Lease {
	out := make(chan leader.Lease, 1)
	go func() {
		l, err := e.Campaign(ctx, role)
		if err == nil {
			out <- l
		}
		close(out)
	}()
	return out
}

func testOneHolder(t *testing.T, h Harness) {
	a, b := h.New(t), h.New(t)
	first := campaign(t, a, "namespace/default")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	second := campaignAsync(ctx, b, "namespace/default")
	select {
	case <-second:
		t.Fatal("a second instance was granted a held role")
	case <-time.After(h.Lease / 2):
	}
	require.NoError(t, first.Release())
	select {
	case l, ok := <-second:
		require.True(t, ok)
		require.NoError(t, l.Release())
	case <-time.After(h.Lease + 5*time.Second):
		t.Fatal("a released role was not granted to the waiting instance")
	}
}

func testIndependent(t *testing.T, h Harness) {
	a, b := h.New(t), h.New(t)
	x := campaign(t, a, "namespace/one")
	y := campaign(t, b, "namespace/two")
	assert.NoError(t, x.Release())
	assert.NoError(t, y.Release())
}

func testContext(t *testing.T, h Harness) {
	a, b := h.New(t), h.New(t)
	l := campaign(t, a, "r")
	defer func() { _ = l.Release() }()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err := b.Campaign(ctx, "r")
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

func testRelease(t *testing.T, h Harness) {
	a := h.New(t)
	l := campaign(t, a, "r")
	require.NoError(t, l.Release())
	require.NoError(t, l.Release())
	select {
	case <-l.Lost():
		t.Fatal("a released lease reads as lost")
	default:
	}
	again := campaign(t, a, "r")
	require.NoError(t, again.Release())
}

func testClose(t *testing.T, h Harness) {
	a := h.New(t)
	l := campaign(t, a, "r")
	require.NoError(t, a.Close())
	select {
	case <-l.Lost():
	case <-time.After(5 * time.Second):
		t.Fatal("closing the elector did not end its lease")
	}
	_, err := a.Campaign(context.Background(), "r")
	assert.ErrorIs(t, err, leader.ErrClosed)
	b := h.New(t)
	other := campaign(t, b, "r")
	require.NoError(t, other.Release())
}

func testRunLost(t *testing.T, h Harness) {
	a := h.New(t)
	roles := leader.NewRoles()
	started := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- leader.Run(context.Background(), a, "r", roles, func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		t.Fatal("work did not start")
	}
	snap := roles.Snapshot()
	require.Len(t, snap, 1)
	assert.True(t, snap[0].Leader)
	assert.Equal(t, "r", snap[0].Role)
	require.NoError(t, a.Close())
	select {
	case err := <-done:
		assert.ErrorIs(t, err, leader.ErrLost)
	case <-time.After(5 * time.Second):
		t.Fatal("work went on after the lease was lost")
	}
	assert.Empty(t, roles.Snapshot())
}

func testSevered(t *testing.T, h Harness) {
	if h.Sever == nil {
		t.Skip("this elector's leases cannot be severed")
	}
	a, b := h.New(t), h.New(t)
	held := campaign(t, a, "namespace/default")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	next := campaignAsync(ctx, b, "namespace/default")
	h.Sever(t, a)
	start := time.Now()
	select {
	case <-held.Lost():
	case <-time.After(h.Lease + 5*time.Second):
		t.Fatal("the severed holder did not notice it lost the role")
	}
	select {
	case l, ok := <-next:
		require.True(t, ok)
		t.Logf("taken over %s after the holder was cut off", time.Since(start).Round(time.Millisecond))
		assert.Less(t, time.Since(start), h.Lease+time.Second, "taken over within the lease")
		require.NoError(t, l.Release())
	case <-time.After(h.Lease + 5*time.Second):
		t.Fatal("no instance took the severed holder's role")
	}
	err := held.Release()
	assert.True(t, err == nil || !errors.Is(err, leader.ErrClosed))
}
