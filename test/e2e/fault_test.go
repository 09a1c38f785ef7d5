//go:build integration

package e2e_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
)

// faultPlan is how hard runFaults pushes.
type faultPlan struct {
	messages     int // broadcasts sent, spread over the three members
	memberKills  int // SIGKILLs of a random member, each restarted
	chainOutages int // SIGKILLs of the chain process, restarted after a pause
	chainDown    time.Duration
	timeout      time.Duration // for everything to be confirmed at the end
}

// TestFaults is the short fault test of `make test`: three `serve`
// processes on one `ledgermirror chain`, broadcasts from all three while a
// random member is killed with SIGKILL (and restarted) twice and the chain
// once for two seconds. The stress version (-tags stress) sends 10,000.
func TestFaults(t *testing.T) {
	runFaults(t, faultPlan{messages: 600, memberKills: 2, chainOutages: 1, chainDown: 2 * time.Second, timeout: 3 * time.Minute})
}

// faultNetwork is the processes of runFaults.
type faultNetwork struct {
	t        *testing.T
	dir      string
	rpcPort  int
	ports    []int
	contract string
	keyFiles []string
	chain    *proc
	mu       sync.Mutex
	servers  []*proc
	clients  []*apiClient
}

func (n *faultNetwork) startChain() {
	args := []string{"chain", "--rpc-port", strconv.Itoa(n.rpcPort), "--data-dir", filepath.Join(n.dir, "chain")}
	for _, f := range n.keyFiles {
		key, err := network.LoadOrCreateSigningKey(f)
		require.NoError(n.t, err)
		args = append(args, "--fund", crypto.PubkeyToAddress(key.PublicKey).Hex())
	}
	n.chain = startProc(n.t, "ledgermirror chain", args...)
	line, _ := n.chain.waitLine(n.t, 0, "batchpin=", 60*time.Second)
	_, contract, ok := strings.Cut(line, "batchpin=")
	require.True(n.t, ok)
	contract = strings.Fields(contract)[0]
	if n.contract != "" {
		require.Equal(n.t, n.contract, contract, "the restarted chain is the same chain")
	}
	n.contract = contract
}

func (n *faultNetwork) startMember(i int) {
	org := fmt.Sprintf("org%d", i+1)
	file := filepath.Join(n.dir, org+".yaml")
	cfg := fmt.Sprintf(serveConfig, org, filepath.Join(n.dir, org), n.ports[2*i], n.ports[2*i+1], n.rpcPort, n.keyFiles[i], n.contract)
	require.NoError(n.t, os.WriteFile(file, []byte(cfg), 0o600))
	p := startProc(n.t, "ledgermirror serve "+org, "serve", "--config", file)
	c, _ := memberClient(n.t, p, 0, org, 60*time.Second)
	n.mu.Lock()
	n.servers[i], n.clients[i] = p, c
	n.mu.Unlock()
}

func (n *faultNetwork) client(i int) *apiClient {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.clients[i]
}

// faultDir is the network's directory: a test temporary directory, or with
// LM_FAULT_KEEP=1 one that is kept when the test fails, so the members'
// event stores and read models can be read afterwards (its path is logged).
func faultDir(t *testing.T) string {
	if os.Getenv("LM_FAULT_KEEP") == "" {
		return t.TempDir()
	}
	dir, err := os.MkdirTemp("", "lm-faults-")
	require.NoError(t, err)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the network's files are kept in %s", dir)
			return
		}
		_ = os.RemoveAll(dir)
	})
	return dir
}

func runFaults(t *testing.T, plan faultPlan) {
	const members = 3
	n := &faultNetwork{t: t, dir: faultDir(t), servers: make([]*proc, members), clients: make([]*apiClient, members)}
	ports := freePorts(t, 1+2*members)
	n.rpcPort, n.ports = ports[0], ports[1:]
	for i := range members {
		n.keyFiles = append(n.keyFiles, filepath.Join(n.dir, fmt.Sprintf("org%d", i+1), "signing.key"))
	}
	n.startChain()
	for i := range members {
		n.startMember(i)
	}
	eventually(t, 120*time.Second, "every member knows every other", func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		for i := range members {
			st, err := n.client(i).Status(ctx)
			if err != nil {
				return err
			}
			if !st.Ready || len(st.Namespaces) != 1 || len(st.Namespaces[0].Members) != members {
				return fmt.Errorf("org%d: %+v", i+1, st)
			}
		}
		return nil
	})

	// Senders: two per member, each message to a random member; only
	// 202s count, a killed member's refusals are retried elsewhere.
	var (
		mu    sync.Mutex
		acked []string
		next  atomic.Int64
	)
	var senders sync.WaitGroup
	for s := range 2 * members {
		senders.Go(func() {
			rnd := rand.New(rand.NewSource(int64(s)))
			for {
				k := int(next.Add(1)) - 1
				if k >= plan.messages {
					return
				}
				for attempt := 0; ; attempt++ {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					v, err := n.client(rnd.Intn(members)).Broadcast(ctx, []string{fmt.Sprintf("fault-%d", k%5)}, map[string]any{"k": k})
					cancel()
					if err == nil {
						mu.Lock()
						acked = append(acked, v.Header.ID)
						mu.Unlock()
						break
					}
					if attempt >= 600 {
						t.Errorf("message %d was never accepted: %v", k, err)
						return
					}
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}

	// Faults, spread over the sending.
	// The plan (which member, when) is random; its seed is logged so that a
	// failure's plan can be run again (the timing around it cannot).
	seed := time.Now().UnixNano()
	if v := os.Getenv("LM_FAULT_SEED"); v != "" {
		var err error
		seed, err = strconv.ParseInt(v, 10, 64)
		require.NoError(t, err, "LM_FAULT_SEED")
	}
	t.Logf("fault plan seed %d (LM_FAULT_SEED=%d runs this plan again)", seed, seed)
	rnd := rand.New(rand.NewSource(seed))
	faults := make([]string, 0, plan.memberKills+plan.chainOutages)
	for range plan.memberKills {
		faults = append(faults, "member")
	}
	for range plan.chainOutages {
		faults = append(faults, "chain")
	}
	rnd.Shuffle(len(faults), func(i, j int) { faults[i], faults[j] = faults[j], faults[i] })
	for i, f := range faults {
		threshold := int64(plan.messages * (i + 1) / (len(faults) + 1))
		eventually(t, 5*time.Minute, fmt.Sprintf("fault %d waits for %d sends", i+1, threshold), func() error {
			if next.Load() < threshold {
				return fmt.Errorf("%d sends started", next.Load())
			}
			return nil
		})
		switch f {
		case "member":
			m := rnd.Intn(members)
			t.Logf("fault %d: SIGKILL org%d after %d sends started", i+1, m+1, next.Load())
			n.mu.Lock()
			victim := n.servers[m]
			n.mu.Unlock()
			victim.kill(t)
			time.Sleep(time.Duration(rnd.Intn(1000)) * time.Millisecond)
			n.startMember(m)
		case "chain":
			t.Logf("fault %d: the chain down for %s after %d sends started", i+1, plan.chainDown, next.Load())
			n.chain.kill(t)
			time.Sleep(plan.chainDown)
			n.startChain()
		}
	}
	senders.Wait()
	mu.Lock()
	ids := append([]string(nil), acked...)
	mu.Unlock()
	require.Len(t, ids, plan.messages)

	clients := []*apiClient{n.client(0), n.client(1), n.client(2)}
	awaitConfirmed(t, plan.timeout, clients, ids)
	awaitEqualBroadcastDigests(t, 30*time.Second, clients, uint64(len(ids)))
	assertNoParkedPins(t, clients)

	// Each member's export verifies, and confirms each message once.
	for i := range members {
		api := fmt.Sprintf("http://127.0.0.1:%d", n.ports[2*i])
		file := filepath.Join(n.dir, fmt.Sprintf("org%d.ndjson", i+1))
		out, err := exec.Command(binary(t), "export", "--api", api, "--out", file).CombinedOutput()
		require.NoError(t, err, string(out))
		out, err = exec.Command(binary(t), "verify", file, "--rpc", fmt.Sprintf("http://127.0.0.1:%d", n.rpcPort)).CombinedOutput()
		require.NoError(t, err, "org%d's export: %s", i+1, out)
		confirmed := confirmationsIn(t, file)
		for _, id := range ids {
			assert.Equal(t, 1, confirmed[id], "org%d confirmed message %s %d times", i+1, id, confirmed[id])
		}
	}
	for i := range members {
		assert.Equal(t, 0, n.servers[i].interrupt(t, 30*time.Second), "org%d exits 0 on SIGINT", i+1)
	}
	assert.Equal(t, 0, n.chain.interrupt(t, 30*time.Second), "chain exits 0 on SIGINT")
}

// confirmationsIn counts the MessageConfirmed events of each message id in
// an export file.
func confirmationsIn(t *testing.T, file string) map[string]int {
	t.Helper()
	f, err := os.Open(file)
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	out := map[string]int{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 256<<20)
	for sc.Scan() {
		var line struct {
			Type string `json:"type"`
			Data struct {
				MessageID string `json:"messageId"`
			} `json:"data"`
		}
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line))
		if line.Type == "MessageConfirmed" {
			out[line.Data.MessageID]++
		}
	}
	require.NoError(t, sc.Err())
	return out
}
