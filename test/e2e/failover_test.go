//go:build integration

package e2e_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	espostgres "github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres"
	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// instanceConfig is one instance of org1: the member's files (keys, blobs,
// shared storage) in one shared data directory, its own SQLite read model,
// the event store on Postgres, the chain on JSON-RPC, a 2 s lease. Both
// instances register the same data-exchange URL: peers reach the member,
// whichever instance answers.
const instanceConfig = `log:
  level: info
node:
  org: org1
  name: node1
  dataDir: %[1]s
api:
  listen: 127.0.0.1:%[2]d
dataExchange:
  listen: 127.0.0.1:%[3]d
  publicUrl: http://127.0.0.1:%[4]d
chain:
  driver: ethereum
  rpc: ws://127.0.0.1:%[5]d
  chainId: 1337
  keyFile: %[6]s
  confirmations: 0
namespaces:
  - name: default
    contract: "%[7]s"
eventStore:
  driver: postgres
  postgres:
    url: %[8]s
    schema: %[9]s
readModel:
  sqlite:
    path: %[10]s
search:
  driver: none
cluster:
  instance: %[11]s
  lease: 2s
`

// failoverTakeover: a takeover must happen within it
// plus the time to replay the log and start (the issue allows 5 s).
const failoverTakeover = 5 * time.Second

// TestFailoverOnPostgres runs two `ledgermirror serve` instances of one
// member on one Postgres event store. One leads the namespace (pipeline,
// chain listener, aggregator), the other serves the API. Under load sent
// to both, the leader is killed with SIGKILL: the other takes the
// namespace over within 5 s, every message either instance acknowledged is
// confirmed exactly once, in chain order, and the killed instance comes
// back as a follower.
func TestFailoverOnPostgres(t *testing.T) {
	url, schema := pgtest.Schema(t)
	dir := t.TempDir()
	memberDir := filepath.Join(dir, "org1")
	keyFile := filepath.Join(memberDir, "signing.key")
	key, err := network.LoadOrCreateSigningKey(keyFile)
	require.NoError(t, err)
	ports := freePorts(t, 5) // the chain's, then each instance's API and data exchange
	chain := startProc(t, "ledgermirror chain", "chain", "--rpc-port", strconv.Itoa(ports[0]),
		"--data-dir", filepath.Join(dir, "chain"), "--fund", crypto.PubkeyToAddress(key.PublicKey).Hex())
	line, _ := chain.waitLine(t, 0, "batchpin=", 30*time.Second)
	_, contract, ok := strings.Cut(line, "batchpin=")
	require.True(t, ok)
	contract = strings.Fields(contract)[0]

	start := func(name string, api, dx int) (*proc, *apiClient) {
		file := filepath.Join(dir, name+".yaml")
		cfg := fmt.Sprintf(instanceConfig, memberDir, api, dx, ports[2], ports[0], keyFile, contract, url, schema,
			filepath.Join(dir, name+"-readmodel.db"), name)
		require.NoError(t, os.WriteFile(file, []byte(cfg), 0o600))
		p := startProc(t, "ledgermirror serve "+name, "serve", "--config", file)
		c, _ := memberClient(t, p, 0, "org1", 60*time.Second)
		return p, c
	}
	a, clientA := start("a", ports[1], ports[2])
	awaitRole(t, clientA, true, 60*time.Second)
	eventually(t, 60*time.Second, "org1 registered", func() error {
		st, err := instanceStatus(clientA)
		if err != nil {
			return err
		}
		if len(st.Namespaces) != 1 || !st.Namespaces[0].Registered {
			return fmt.Errorf("not registered: %+v", st.Namespaces)
		}
		return nil
	})
	b, clientB := start("b", ports[3], ports[4])
	awaitReady(t, clientB, 60*time.Second)
	awaitRole(t, clientB, false, 10*time.Second)

	// Load on both instances (three senders each) until told to stop; only
	// 202s count.
	var (
		mu    sync.Mutex
		acked []string
	)
	stop := make(chan struct{})
	var senders sync.WaitGroup
	for i, c := range []*apiClient{clientA, clientB, clientA, clientB, clientA, clientB} {
		senders.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				v, err := c.Broadcast(ctx, []string{fmt.Sprintf("failover-%d", n%3)}, map[string]any{"instance": i, "n": n})
				cancel()
				if err == nil {
					mu.Lock()
					acked = append(acked, v.Header.ID)
					mu.Unlock()
				} else {
					time.Sleep(20 * time.Millisecond) // the killed instance refuses connections
				}
			}
		})
	}
	ackedCount := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(acked)
	}
	eventually(t, 60*time.Second, "load is flowing", func() error {
		if n := ackedCount(); n < 100 {
			return fmt.Errorf("%d acknowledged", n)
		}
		return nil
	})

	a.kill(t)
	killed := time.Now()
	awaitRole(t, clientB, true, failoverTakeover+5*time.Second)
	took := time.Since(killed)
	t.Logf("instance b took the namespace over %s after the leader was killed", took.Round(time.Millisecond))
	assert.Less(t, took, failoverTakeover, "takeover within 5 s")
	before := ackedCount()
	eventually(t, 60*time.Second, "load flows again through b", func() error {
		if n := ackedCount(); n < before+100 {
			return fmt.Errorf("%d acknowledged since the kill", n-before)
		}
		return nil
	})

	// The killed instance comes back, as a follower.
	a, clientA = start("a", ports[1], ports[2])
	awaitReady(t, clientA, 60*time.Second)
	awaitRole(t, clientA, false, 10*time.Second)
	close(stop)
	senders.Wait()

	mu.Lock()
	ids := append([]string(nil), acked...)
	mu.Unlock()
	t.Logf("%d messages acknowledged", len(ids))
	awaitConfirmed(t, 120*time.Second, []*apiClient{clientB, clientA}, ids)

	store, err := espostgres.Open(context.Background(), espostgres.Config{URL: url, Schema: schema}, zerolog.Nop())
	require.NoError(t, err)
	defer func() { _ = store.Close() }()
	confirmations := map[uuid.UUID]int{}
	for _, p := range decodeEvents(t, readEvents(t, store), "MessageConfirmed") {
		confirmations[p.(catalogue.MessageConfirmed).MessageID]++
	}
	for id, n := range confirmations {
		assert.Equal(t, 1, n, "message %s confirmed %d times", id, n)
	}
	d := readDecisions(t, store)
	t.Logf("%d messages confirmed", len(confirmations))
	// The pin is written ahead (PinSubmitted with the signed transaction
	// before it is sent): the new leader sends what the killed one signed
	// rather than pinning a batch twice, so no copy is rejected.
	assert.Empty(t, d.rejected, "no message rejected")
	assert.Zero(t, d.revoked, "no decision revoked")
	require.NoError(t, d.checkPinOrder(), "confirmed in chain order")
	require.NoError(t, d.checkRunningDigests())

	assert.Equal(t, 0, a.interrupt(t, 30*time.Second), "a exits 0 on SIGINT")
	assert.Equal(t, 0, b.interrupt(t, 30*time.Second), "b exits 0 on SIGINT")
	assert.Equal(t, 0, chain.interrupt(t, 30*time.Second), "chain exits 0 on SIGINT")
}

// instanceStatus reads a client's status with a short timeout.
func instanceStatus(c *apiClient) (nodeStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return c.Status(ctx)
}

func awaitReady(t *testing.T, c *apiClient, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, "the instance is ready", func() error {
		st, err := instanceStatus(c)
		if err != nil {
			return err
		}
		if !st.Ready {
			return fmt.Errorf("not ready")
		}
		return nil
	})
}

// awaitRole waits until the instance's status says it leads namespace
// default (lead) or waits for it (!lead).
func awaitRole(t *testing.T, c *apiClient, lead bool, timeout time.Duration) {
	t.Helper()
	eventually(t, timeout, fmt.Sprintf("leader of namespace/default: %v", lead), func() error {
		st, err := instanceStatus(c)
		if err != nil {
			return err
		}
		if st.Cluster == nil {
			return fmt.Errorf("no cluster in the status")
		}
		for _, r := range st.Cluster.Roles {
			if r.Role == "namespace/default" && r.Leader == lead {
				return nil
			}
		}
		return fmt.Errorf("instance %s roles %+v", st.Cluster.Instance, st.Cluster.Roles)
	})
}
