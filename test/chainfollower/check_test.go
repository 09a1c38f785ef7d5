package chainfollower_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
)

// receiptSubmitter is a flakySubmitter whose transactions have a state the
// test sets.
type receiptSubmitter struct {
	flakySubmitter
	mu    sync.Mutex
	state map[string]chain.TxStatus
}

// Submit gives each transaction its own hash, as a real chain does.
func (s *receiptSubmitter) Submit(ctx context.Context, req chain.PinRequest) (chain.Submission, error) {
	sub, err := s.flakySubmitter.Submit(ctx, req)
	if err == nil {
		sub.TxHash = fmt.Sprintf("%s%04d", sub.TxHash[:len(sub.TxHash)-4], sub.Nonce)
	}
	return sub, err
}

func (s *receiptSubmitter) TxStatus(_ context.Context, txHash string) (chain.TxStatus, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.state[txHash]; ok {
		return st, nil
	}
	return chain.TxStatus{State: chain.TxPending}, nil
}

func (s *receiptSubmitter) set(txHash string, st chain.TxStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state == nil {
		s.state = map[string]chain.TxStatus{}
	}
	s.state[txHash] = st
}

func TestCheckResendsALostTransactionOnce(t *testing.T) {
	s := openStore(t)
	sub := &receiptSubmitter{}
	p := chain.NewPinner(sub, s, catalogue.Default(), chain.PinnerOptions{})
	req := pinRequest()
	first, err := p.PinOnce(context.Background(), req)
	require.NoError(t, err)

	st, got, err := p.Check(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, chain.TxPending, st.State)
	assert.Equal(t, first.TxHash, got.TxHash)

	sub.set(first.TxHash, chain.TxStatus{State: chain.TxUnknown})
	sub.flakySubmitter.mu.Lock()
	sub.sent = 100 // the resubmission gets another nonce, like a real chain
	sub.flakySubmitter.mu.Unlock()
	st, again, err := p.Check(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, chain.TxUnknown, st.State)
	assert.Equal(t, 101, sub.sent, "the lost transaction is sent again")
	assert.NotEqual(t, first.TxHash, again.TxHash)

	// The resubmission is now what counts: PinOnce returns it, Check asks about it.
	sub.set(first.TxHash, chain.TxStatus{State: chain.TxUnknown})
	sub.set(again.TxHash, chain.TxStatus{State: chain.TxMined, BlockNumber: 7})
	st, latest, err := p.Check(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, chain.TxMined, st.State)
	assert.Equal(t, again.TxHash, latest.TxHash)
	recorded, err := p.PinOnce(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, again.TxHash, recorded.TxHash)
	assert.Equal(t, 101, sub.sent)

	var submitted int
	for _, e := range batchEvents(t, s, req.BatchID) {
		if _, ok := e.(catalogue.PinSubmitted); ok {
			submitted++
		}
	}
	assert.Equal(t, 2, submitted)
}

func TestCheckRecordsAMinedRevert(t *testing.T) {
	s := openStore(t)
	sub := &receiptSubmitter{}
	p := chain.NewPinner(sub, s, catalogue.Default(), chain.PinnerOptions{})
	req := pinRequest()
	first, err := p.PinOnce(context.Background(), req)
	require.NoError(t, err)
	sub.set(first.TxHash, chain.TxStatus{State: chain.TxReverted, Reason: "out of gas"})

	_, _, err = p.Check(context.Background(), req)
	require.ErrorIs(t, err, chain.ErrReverted)
	evs := batchEvents(t, s, req.BatchID)
	failed, ok := evs[len(evs)-1].(catalogue.PinFailed)
	require.True(t, ok, "the revert is recorded")
	assert.Equal(t, "out of gas", failed.Reason)
	assert.Equal(t, first.TxHash, failed.TxHash)

	_, err = p.PinOnce(context.Background(), req)
	assert.ErrorIs(t, err, chain.ErrReverted, "a reverted pin is not sent again")
}

func TestCheckWithoutReceiptsReportsPending(t *testing.T) {
	s := openStore(t)
	p := chain.NewPinner(&flakySubmitter{}, s, catalogue.Default(), chain.PinnerOptions{})
	req := pinRequest()
	_, err := p.PinOnce(context.Background(), req)
	require.NoError(t, err)
	st, _, err := p.Check(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, chain.TxPending, st.State)
}
