//go:build integration

package e2e_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the read model's file, changed behind the node's back
)

// TestDevRestartAfterKill fires broadcasts at a `ledgermirror dev` network,
// kills the process with SIGKILL right after the last one is acknowledged,
// starts it again on the same data directory and checks that every
// acknowledged message is confirmed on every member, with equal digests,
// and that no batch was pinned twice (the pinner records a transaction
// before it sends it, so the restart sends a recorded one again rather than
// a second one).
func TestDevRestartAfterKill(t *testing.T) {
	const (
		members  = 3
		messages = 200
		workers  = 16
	)
	dir := t.TempDir()
	args := []string{"dev", "--data-dir", dir, "--base-port", strconv.Itoa(freeBase(t, members)), "--log-level", "warn"}
	dev := startProc(t, "ledgermirror dev", args...)
	clients, next := memberClients(t, dev, 0, members, time.Minute)
	dev.waitLine(t, next, "network ready", time.Minute)

	var (
		mu      sync.Mutex
		acked   []string
		refused []string
		wg      sync.WaitGroup
		counter atomic.Int64
	)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for range workers {
		wg.Go(func() {
			for {
				i := int(counter.Add(1)) - 1
				if i >= messages {
					return
				}
				v, err := clients[i%members].Broadcast(ctx, []string{fmt.Sprintf("k%d", i%4)}, map[string]any{"i": i})
				mu.Lock()
				if err != nil {
					refused = append(refused, fmt.Sprintf("message %d to org%d: %v", i, i%members+1, err))
				} else {
					acked = append(acked, v.Header.ID)
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	dev.kill(t)
	t.Logf("%d broadcasts acknowledged before SIGKILL", len(acked))
	assert.Empty(t, refused, "every broadcast sent before the kill is accepted")
	require.NotEmpty(t, acked)
	// As if org1's read model had been built by another version (a table
	// declared differently): the restart rebuilds it from the log instead of
	// refusing to start, and the chain events checked below come from it.
	markReadModelFromAnotherVersion(t, filepath.Join(dir, "org1"))

	again := startProc(t, "ledgermirror dev (restarted)", args...)
	clients, next = memberClients(t, again, 0, members, time.Minute)
	again.waitLine(t, next, "network ready", time.Minute)
	awaitConfirmed(t, 90*time.Second, clients, acked)
	awaitEqualBroadcastDigests(t, 10*time.Second, clients, uint64(len(acked)))
	assertNoParkedPins(t, clients)
	assertEachBatchPinnedOnce(t, clients)

	assert.Equal(t, 0, again.interrupt(t, 30*time.Second), "dev exits 0 on SIGINT")
}

// assertEachBatchPinnedOnce reads every member's BatchPin logs (GET
// /chainevents) and checks that no batch appears in two of them.
func assertEachBatchPinnedOnce(t *testing.T, clients []*apiClient) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i, c := range clients {
		pins := map[string][]string{}
		const page = 1000
		for skip := 0; ; skip += page {
			var evs []struct {
				Ref     string `json:"ref"`
				Batch   string `json:"batch"`
				Removed bool   `json:"removed"`
			}
			path := fmt.Sprintf("/namespaces/%s/chainevents?sort=ref&limit=%d&skip=%d", namespace, page, skip)
			require.NoError(t, c.do(ctx, http.MethodGet, path, nil, &evs, http.StatusOK))
			for _, ev := range evs {
				if !ev.Removed {
					pins[ev.Batch] = append(pins[ev.Batch], ev.Ref)
				}
			}
			if len(evs) < page {
				break
			}
		}
		require.NotEmpty(t, pins, "org%d observed no pins", i+1)
		for batch, refs := range pins {
			assert.Len(t, refs, 1, "org%d: batch %s pinned more than once, at %v", i+1, batch, refs)
		}
		t.Logf("org%d: %d batches, each pinned once", i+1, len(pins))
	}
}

// markReadModelFromAnotherVersion changes the recorded declaration hash of
// the messages table in the SQLite read model under dataDir, which is what
// a read model built by a version that declared the table differently
// looks like to this one.
func markReadModelFromAnotherVersion(t *testing.T, dataDir string) {
	t.Helper()
	path := filepath.Join(dataDir, "readmodel.db")
	require.FileExists(t, path)
	db, err := sql.Open("sqlite", "file:"+path)
	require.NoError(t, err)
	defer func() { require.NoError(t, db.Close()) }()
	res, err := db.Exec("UPDATE schema_tables SET ddl_hash = 'declared by another version' WHERE name = 'messages'")
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.EqualValues(t, 1, n, "the messages table is recorded in %s", path)
}
