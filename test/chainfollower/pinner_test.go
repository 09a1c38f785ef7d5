package chainfollower_test

import (
	"context"
	"errors"
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

// flakySubmitter fails while down, or reverts, and counts what it sent.
type flakySubmitter struct {
	mu      sync.Mutex
	failing int
	revert  string
	sent    int
	// failed, if set, is called with the number of failures so far after
	// each one.
	failed func(n int)
	fails  int
}

func (s *flakySubmitter) Submit(_ context.Context, req chain.PinRequest) (chain.Submission, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revert != "" {
		return chain.Submission{}, &chain.RevertError{Reason: s.revert}
	}
	if s.failing > 0 {
		s.failing--
		s.fails++
		if s.failed != nil {
			s.failed(s.fails)
		}
		return chain.Submission{}, chaintest.ErrDown
	}
	s.sent++
	return chain.Submission{Chain: "ethereum:1337", TxHash: "0x" + protocol.SHA256(req.TxID[:]).String(),
		Signer: chaintest.Key, Nonce: uint64(s.sent)}, nil
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

	// Pinning the same request again (a restart) sends nothing new.
	again, err := p.Pin(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, res, again)
	assert.Equal(t, 1, sub.sent)
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
