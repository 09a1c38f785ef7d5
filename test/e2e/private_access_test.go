//go:build integration

package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	dxhttp "github.com/ledgermirror/ledgermirror/adapters/dataexchange/http"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/messaging"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// TestNonMemberHasNoAccess sends a private message to {org1, org2} and
// checks that org3 sees its pin on chain and nothing else: no message, no
// batch, no trace of the data value in its event store or its files.
func TestNonMemberHasNoAccess(t *testing.T) {
	n := startNetwork(t, 3)
	ctx := context.Background()
	secret := "secret-" + uuid.NewString()
	sent, err := n.clients[0].Private(ctx, []string{"private-topic"}, []string{orgDID(1)}, map[string]any{"secret": secret})
	require.NoError(t, err)
	id := sent.Header.ID
	awaitConfirmed(t, 30*time.Second, n.clients[:2], []string{id})
	view, err := n.clients[0].Message(ctx, id)
	require.NoError(t, err)
	require.NotEmpty(t, view.Batch, "a confirmed message names its batch")
	batch := uuid.MustParse(view.Batch)

	// org3 observed the pin (the chain is public), and its aggregator went
	// past it, so anything org3 would fetch or decide for it is stored.
	org3 := n.Members()[2]
	var observedAt uint64
	eventually(t, 30*time.Second, "org3 observes the batch's pin", func() error {
		for _, ev := range readEvents(t, org3.Store()) {
			if ev.Type != "PinObserved" {
				continue
			}
			p, err := catalogue.Default().Decode(ev)
			require.NoError(t, err)
			if p.(catalogue.PinObserved).BatchID == batch {
				observedAt = uint64(ev.Position)
				return nil
			}
		}
		return errors.New("no PinObserved for the batch on org3")
	})
	eventually(t, 30*time.Second, "org3's aggregator passes the pin", func() error {
		st, err := n.clients[2].Status(ctx)
		if err != nil {
			return err
		}
		if got := st.Namespaces[0].Aggregated; got < observedAt {
			return fmt.Errorf("aggregated up to %d, the pin is at %d", got, observedAt)
		}
		return nil
	})
	assertNoParkedPins(t, n.clients)

	_, err = n.clients[2].Message(ctx, id)
	assert.Equal(t, 404, statusOf(err), "org3 GET /messages/%s: %v", id, err)
	evs := readEvents(t, org3.Store())
	for _, p := range decodeEvents(t, evs, "BatchReceived") {
		assert.NotEqual(t, batch, p.(catalogue.BatchReceived).BatchID, "org3 received the private batch")
	}
	for _, ev := range evs {
		assert.NotContains(t, string(ev.Data), secret, "org3 event %d (%s) holds the private value", ev.Position, ev.Type)
	}
	// Nor anywhere on org3's disk (event store, shared storage, blobs);
	// org1 and org2 hold it, which shows the scan would find it.
	for i, want := range []bool{true, true, false} {
		found := dirContains(t, n.memberDir(i), secret)
		assert.Equal(t, want, found, "org%d's files hold the private value", i+1)
	}
}

// dirContains says whether any file under dir holds s.
func dirContains(t *testing.T, dir, s string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found {
			return err
		}
		raw, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) { // a file the node removed meanwhile
			return nil
		}
		if err != nil {
			return err
		}
		found = bytes.Contains(raw, []byte(s))
		return nil
	})
	require.NoError(t, err)
	return found
}

// TestForgedDataExchangeRequestIsRefused sends org2 a batch that claims to
// come from org1's node but is signed with another key: org2 answers 401
// and records the refusal.
func TestForgedDataExchangeRequestIsRefused(t *testing.T) {
	n := startNetwork(t, 3)
	org1, org2 := n.Members()[0], n.Members()[1]
	svc, err := org1.Node().Service(namespace)
	require.NoError(t, err)
	org2Node, err := protocol.ParseNodeDID(nodeDID(1))
	require.NoError(t, err)
	peer, ok := svc.Registry().Node(org2Node)
	require.True(t, ok, "org1 knows org2's node")
	self, err := protocol.ParseNodeDID(nodeDID(0))
	require.NoError(t, err)
	otherKey, err := dxhttp.GenerateKey()
	require.NoError(t, err)
	forger, err := dxhttp.NewClient(dxhttp.ClientConfig{}, self, otherKey)
	require.NoError(t, err)
	defer forger.Close()

	marker := "forged-" + uuid.NewString()
	manifest, err := json.Marshal(map[string]any{"version": 1, "id": uuid.NewString(), "namespace": namespace, "marker": marker})
	require.NoError(t, err)
	env := messaging.Envelope{Namespace: namespace, Manifest: manifest,
		Messages: []json.RawMessage{json.RawMessage(`{"marker":"` + marker + `"}`)}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = forger.SendBatch(ctx, peer, env)
	var pe *messaging.PeerError
	require.ErrorAs(t, err, &pe, "a forged request is refused")
	assert.Equal(t, 401, pe.Status)
	assert.ErrorIs(t, err, messaging.ErrPeerRefused)

	eventually(t, 10*time.Second, "org2 records the refusal", func() error {
		for _, p := range decodeEvents(t, readEvents(t, org2.Store()), "PeerRefused") {
			r := p.(catalogue.PeerRefused)
			if r.Claimed == nodeDID(0) && strings.Contains(r.Reason, "signature") {
				return nil
			}
		}
		return errors.New("no PeerRefused naming org1's node and the signature")
	})
	for _, ev := range readEvents(t, org2.Store()) {
		assert.NotContains(t, string(ev.Data), marker, "org2 event %d (%s) holds the forged content", ev.Position, ev.Type)
	}
}
