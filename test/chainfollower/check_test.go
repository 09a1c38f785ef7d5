package chainfollower_test

import (
	"context"
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

// A transaction the node does not know (lost from its pool, or recorded
// and never sent) is sent again as recorded: no second transaction, no
// second PinSubmitted. (Its replacement when its nonce was taken is tested
// in domain/chain.)
func TestCheckSendsALostTransactionAgainAsRecorded(t *testing.T) {
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
	assert.Equal(t, 1, sub.sends(first.TxHash))

	sub.set(first.TxHash, chain.TxStatus{State: chain.TxUnknown})
	st, again, err := p.Check(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, chain.TxUnknown, st.State)
	assert.Equal(t, first, again, "the recorded transaction is what is in flight")
	assert.Equal(t, 2, sub.sends(first.TxHash), "the lost transaction is sent again")
	assert.Equal(t, 1, sub.transactions(), "and no other")

	sub.set(first.TxHash, chain.TxStatus{State: chain.TxMined, BlockNumber: 7})
	st, latest, err := p.Check(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, chain.TxMined, st.State)
	assert.Equal(t, first.TxHash, latest.TxHash)
	assert.Equal(t, 2, sub.sends(first.TxHash), "a mined transaction is not sent again")

	var submitted int
	for _, e := range batchEvents(t, s, req.BatchID) {
		if _, ok := e.(catalogue.PinSubmitted); ok {
			submitted++
		}
	}
	assert.Equal(t, 1, submitted)
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
