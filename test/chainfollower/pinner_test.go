package chainfollower_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/chain/chaintest"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// flakySubmitter fails to prepare while down, or reverts, and counts the
// sends of each transaction it signed.
type flakySubmitter struct {
	mu       sync.Mutex
	failing  int
	revert   string
	prepared int
	sent     map[string]int // sends per transaction hash
	// failed, if set, is called with the number of failures so far after
	// each one.
	failed func(n int)
	fails  int
}

// Prepare gives each transaction its own hash and nonce, as a real chain does.
func (s *flakySubmitter) Prepare(_ context.Context, req chain.PinRequest) (chain.SignedPin, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revert != "" {
		return chain.SignedPin{}, &chain.RevertError{Reason: s.revert}
	}
	if s.failing > 0 {
		s.failing--
		s.fails++
		if s.failed != nil {
			s.failed(s.fails)
		}
		return chain.SignedPin{}, chaintest.ErrDown
	}
	s.prepared++
	raw := fmt.Appendf(nil, "%s/%d", req.TxID, s.prepared)
	return chain.SignedPin{Submission: chain.Submission{Chain: "ethereum:1337", TxHash: "0x" + protocol.SHA256(raw).String(),
		Signer: chaintest.Key, Nonce: uint64(s.prepared)}, Raw: raw}, nil
}

func (s *flakySubmitter) Send(_ context.Context, tx chain.SignedPin) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sent == nil {
		s.sent = map[string]int{}
	}
	s.sent[tx.TxHash]++
	return nil
}

// transactions is how many distinct transactions were sent.
func (s *flakySubmitter) transactions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.sent)
}

// sends is how often the transaction with this hash was sent.
func (s *flakySubmitter) sends(txHash string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sent[txHash]
}

func (s *flakySubmitter) Signer() protocol.SigningKey { return chaintest.Key }

func openStore(t *testing.T) event.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), sqlite.Config{Path: filepath.Join(t.TempDir(), "events.db")},
		zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, s.Close()) })
	return s
}

func pinRequest() chain.PinRequest {
	id := uuid.New()
	return chain.PinRequest{Namespace: ns, TxID: uuid.New(), BatchID: id, BatchHash: protocol.SHA256(id[:]),
		PayloadRef: "shared:x", Contexts: []protocol.Hash{protocol.SHA256([]byte("c"))}}
}

func batchEvents(t *testing.T, s event.Store, id uuid.UUID) []catalogue.Payload {
	t.Helper()
	evs, err := s.ReadStream(context.Background(), catalogue.BatchStream(id), 0, 0)
	require.NoError(t, err)
	out := make([]catalogue.Payload, len(evs))
	for i, ev := range evs {
		out[i], err = catalogue.Default().Decode(ev)
		require.NoError(t, err)
	}
	return out
}

func TestPinnerRetriesWhileTheNodeIsDownAndRecordsOnce(t *testing.T) {
	s := openStore(t)
	sub := &flakySubmitter{failing: 3}
	retries := 0
	p := chain.NewPinner(sub, s, catalogue.Default(), chain.PinnerOptions{RetryMin: time.Millisecond, RetryMax: 4 * time.Millisecond,
		OnRetry: func(chain.PinRequest, int, error) { retries++ }})
	req := pinRequest()
	res, err := p.Pin(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, 3, retries)
	events := batchEvents(t, s, req.BatchID)
	require.Len(t, events, 1)
	submitted := events[0].(catalogue.PinSubmitted)
	assert.Equal(t, res.TxHash, submitted.TxHash)
	assert.Equal(t, req.Contexts, submitted.Contexts)
	assert.NotEmpty(t, submitted.RawTx, "the transaction is recorded with its bytes")

	// Pinning the same request again (a restart) sends the recorded
	// transaction again, and no other.
	again, err := p.Pin(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, res, again)
	assert.Equal(t, 1, sub.transactions())
	assert.Equal(t, 2, sub.sends(res.TxHash))
	assert.Len(t, batchEvents(t, s, req.BatchID), 1)
}

func TestPinnerRecordsARevertInsteadOfRetrying(t *testing.T) {
	s := openStore(t)
	p := chain.NewPinner(&flakySubmitter{revert: "paused"}, s, catalogue.Default(), chain.PinnerOptions{})
	req := pinRequest()
	_, err := p.Pin(context.Background(), req)
	require.ErrorIs(t, err, chain.ErrReverted)
	events := batchEvents(t, s, req.BatchID)
	require.Len(t, events, 1)
	assert.Equal(t, "paused", events[0].(catalogue.PinFailed).Reason)
	_, err = p.Pin(context.Background(), req)
	assert.True(t, errors.Is(err, chain.ErrReverted), "the recorded failure is returned again")
	assert.Len(t, batchEvents(t, s, req.BatchID), 1)
}

// TestPinnerGivesUpWhenTold: the caller's context ends while the chain is
// down; Pin returns at once with both the reason and the last failure. The
// context is cancelled by the submitter after its third failure, not by a
// timer, so a slow machine cannot end it before the first attempt.
func TestPinnerGivesUpWhenTold(t *testing.T) {
	s := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := &flakySubmitter{failing: 1 << 30, failed: func(n int) {
		if n == 3 {
			cancel()
		}
	}}
	p := chain.NewPinner(sub, s, catalogue.Default(), chain.PinnerOptions{RetryMin: time.Millisecond})
	_, err := p.Pin(ctx, pinRequest())
	require.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, chaintest.ErrDown)
	assert.Equal(t, 3, sub.fails, "no attempt after the context ended")
}
