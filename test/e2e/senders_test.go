//go:build integration

package e2e_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// sendJob is one message a test sends: from member sender, broadcast when
// to is nil, else private to the group of the sender and the orgs in to.
type sendJob struct {
	sender int
	topics []string
	to     []string
	value  map[string]any
}

// sentMessage is a message the network accepted (202).
type sentMessage struct {
	job  sendJob
	view messageView
}

// sendAll sends jobs with workers concurrent requests per sender and
// returns what was accepted, failing the test on any other answer.
func sendAll(t *testing.T, clients []*apiClient, jobs []sendJob, workers int) []sentMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	queues := make([]chan sendJob, len(clients))
	for i := range queues {
		queues[i] = make(chan sendJob, len(jobs))
	}
	for _, j := range jobs {
		queues[j.sender] <- j
	}
	var (
		mu   sync.Mutex
		sent []sentMessage
		errs []error
		wg   sync.WaitGroup
	)
	for s, q := range queues {
		close(q)
		for range workers {
			wg.Go(func() {
				for j := range q {
					var v messageView
					var err error
					if j.to == nil {
						v, err = clients[s].Broadcast(ctx, j.topics, j.value)
					} else {
						v, err = clients[s].Private(ctx, j.topics, j.to, j.value)
					}
					mu.Lock()
					if err != nil {
						errs = append(errs, fmt.Errorf("org%d sending %v: %w", s+1, j.value, err))
					} else {
						sent = append(sent, sentMessage{job: j, view: v})
					}
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	require.Empty(t, errs, "every message is accepted")
	return sent
}

// TestConcurrentSendersAgree sends broadcasts on several topics and private
// messages in a two-member and a three-member group from every member at
// once, and checks that every member that should have each message
// confirmed it, in the same order on every context.
func TestConcurrentSendersAgree(t *testing.T) {
	const (
		broadcastsPerSender = 100
		pairPerSender       = 25 // org1 and org2, group {org1, org2}
		triplePerSender     = 20 // every member, group {org1, org2, org3}
	)
	topics := []string{"t0", "t1", "t2", "t3", "t4"}
	privateTopics := []string{"p0", "p1"}
	n := startNetwork(t, 3)
	ctx := context.Background()
	before, err := n.clients[0].Digests(ctx)
	require.NoError(t, err)

	var jobs []sendJob
	for s := range 3 {
		for i := range broadcastsPerSender {
			k := s*broadcastsPerSender + i
			ts := []string{topics[k%len(topics)]}
			if i%10 == 0 { // some messages sit on two contexts
				ts = append(ts, topics[(k+2)%len(topics)])
			}
			jobs = append(jobs, sendJob{sender: s, topics: ts, value: map[string]any{"kind": "broadcast", "sender": s, "i": i}})
		}
		for i := range triplePerSender {
			jobs = append(jobs, sendJob{sender: s, topics: []string{privateTopics[i%2]},
				to: []string{orgDID((s + 1) % 3), orgDID((s + 2) % 3)}, value: map[string]any{"kind": "triple", "sender": s, "i": i}})
		}
	}
	for s := range 2 {
		for i := range pairPerSender {
			ts := []string{privateTopics[i%2]}
			if i%5 == 0 {
				ts = privateTopics
			}
			jobs = append(jobs, sendJob{sender: s, topics: ts, to: []string{orgDID(1 - s)},
				value: map[string]any{"kind": "pair", "sender": s, "i": i}})
		}
	}
	rand.Shuffle(len(jobs), func(i, j int) { jobs[i], jobs[j] = jobs[j], jobs[i] })
	sent := sendAll(t, n.clients, jobs, 4)
	require.Len(t, sent, len(jobs))

	// What each member should end up with.
	groups := map[string]string{} // kind -> group hash
	var broadcastPins uint64
	groupPins := map[string]uint64{}
	ids := map[string][]string{} // kind -> message ids
	for _, m := range sent {
		kind := m.job.value["kind"].(string)
		ids[kind] = append(ids[kind], m.view.Header.ID)
		require.Equal(t, "pending", m.view.State, "a message is pending when accepted")
		if kind == "broadcast" {
			require.Empty(t, m.view.Header.Group)
			broadcastPins += uint64(len(m.job.topics))
			continue
		}
		require.NotEmpty(t, m.view.Header.Group, "a private message names its group")
		if g, ok := groups[kind]; ok {
			require.Equal(t, g, m.view.Header.Group, "one group per member set, whoever sends")
		}
		groups[kind] = m.view.Header.Group
		groupPins[kind] += uint64(len(m.job.topics))
	}
	require.NotEqual(t, groups["pair"], groups["triple"])
	audience := map[string][]int{"broadcast": {0, 1, 2}, "triple": {0, 1, 2}, "pair": {0, 1}}

	// Every member reaches the expected counts, with equal digests.
	eventually(t, 90*time.Second, "every member confirms every message", func() error {
		ds, err := allDigests(ctx, n.clients)
		if err != nil {
			return err
		}
		for i, d := range ds {
			if want := before.Broadcast.Count + broadcastPins; d.Broadcast.Count != want {
				return fmt.Errorf("org%d: %d broadcast confirmations, want %d", i+1, d.Broadcast.Count, want)
			}
			for kind, g := range groups {
				if slices.Contains(audience[kind], i) && d.Groups[g].Count != groupPins[kind] {
					return fmt.Errorf("org%d: %d confirmations in the %s group, want %d", i+1, d.Groups[g].Count, kind, groupPins[kind])
				}
			}
		}
		return nil
	})
	ds, err := allDigests(ctx, n.clients)
	require.NoError(t, err)
	for i, d := range ds {
		assert.Equal(t, ds[0].Broadcast, d.Broadcast, "org%d broadcast digest", i+1)
		for kind, g := range groups {
			if slices.Contains(audience[kind], i) {
				assert.Equal(t, ds[0].Groups[g], d.Groups[g], "org%d digest of the %s group", i+1, kind)
			} else {
				assert.NotContains(t, d.Groups, g, "org%d is not in the %s group", i+1, kind)
			}
		}
	}

	// Each message, through the API, on each member that should have it.
	for kind, list := range ids {
		var cs []*apiClient
		for _, i := range audience[kind] {
			cs = append(cs, n.clients[i])
		}
		awaitConfirmed(t, 10*time.Second, cs, list)
	}
	for _, id := range ids["pair"] {
		_, err := n.clients[2].Message(ctx, id)
		assert.Equal(t, 404, statusOf(err), "org3 GET of a {org1, org2} message: %v", err)
	}

	checkStoresAgree(t, n, topics, privateTopics, groups, audience, ids, ds)
	assertNoParkedPins(t, n.clients)
	for i, c := range n.clients {
		ops, err := c.Operations(ctx, 1000)
		require.NoError(t, err)
		for _, op := range ops {
			assert.NotEqual(t, "failed", op.Status, "org%d operation %+v", i+1, op)
		}
	}
}

// checkStoresAgree reads every member's MessageConfirmed events and checks
// that the members confirmed the same messages in the same order on every
// context they share, that the recorded running digests are right, and
// that the namespace digests recomputed from the events are the ones the
// API shows (api, read once everything was confirmed).
func checkStoresAgree(t *testing.T, n *testNetwork, topics, privateTopics []string, groups map[string]string,
	audience map[string][]int, ids map[string][]string, api []digests) {
	t.Helper()
	members := n.Members()
	decs := make([]decisions, len(members))
	for i, m := range members {
		decs[i] = readDecisions(t, m.Store())
		assert.Empty(t, decs[i].rejected, "org%d rejected nothing", i+1)
		assert.Zero(t, decs[i].revoked, "org%d revoked no decision (the embedded chain does not reorganise)", i+1)
		assert.NoError(t, decs[i].checkRunningDigests(), "org%d running digests", i+1)
		assert.NoError(t, decs[i].checkPinOrder(), "org%d confirmation order", i+1)
		for kind, list := range ids {
			in := slices.Contains(audience[kind], i)
			for _, id := range list {
				assert.Equal(t, in, decs[i].confirmed[uuid.MustParse(id)], "org%d: %s message %s confirmed in the store", i+1, kind, id)
			}
		}
	}

	// Contexts: every broadcast topic (and the definitions' topic) on every
	// member, every private topic of a group on its members only.
	contexts := map[protocol.Hash][]int{protocol.BroadcastContext(namespace, "lm_definitions"): audience["broadcast"]}
	for _, tp := range topics {
		contexts[protocol.BroadcastContext(namespace, tp)] = audience["broadcast"]
	}
	groupOf := map[protocol.Hash]string{}
	for kind, g := range groups {
		gh, err := protocol.ParseHash(g)
		require.NoError(t, err)
		for _, tp := range privateTopics {
			c := protocol.PrivateContext(namespace, tp, gh)
			contexts[c], groupOf[c] = audience[kind], g
		}
	}
	for c, in := range contexts {
		first := decs[in[0]].order(c)
		assert.NotEmpty(t, first, "context %s has confirmations", c)
		for i := range decs {
			if slices.Contains(in, i) {
				assert.Equal(t, first, decs[i].order(c), "org%d: order of context %s", i+1, c)
			} else {
				assert.Empty(t, decs[i].order(c), "org%d has nothing on a group context it is not in", i+1)
			}
		}
	}
	for i, d := range decs {
		for c := range d.byContext {
			assert.Contains(t, contexts, c, "org%d confirmed on an unexpected context", i+1)
		}
		// The API's digests are the ones the events add up to.
		assert.Equal(t, api[i].Broadcast, d.namespaceDigest(func(c protocol.Hash) bool { return groupOf[c] == "" }),
			"org%d: the broadcast digest recomputed from its MessageConfirmed events", i+1)
		for _, g := range groups {
			if want, ok := api[i].Groups[g]; ok {
				assert.Equal(t, want, d.namespaceDigest(func(c protocol.Hash) bool { return groupOf[c] == g }),
					"org%d: the digest of group %s recomputed from its events", i+1, g)
			}
		}
	}
}
