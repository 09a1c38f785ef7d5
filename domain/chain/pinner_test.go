package chain_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/chain/chaintest"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// streams is the part of an event store the pinner uses (appends to any
// revision, reads of one stream), in memory; it can be told to fail.
type streams struct {
	event.Store // nil: the pinner calls nothing else
	mu          sync.Mutex
	events      map[string][]event.Event
	ids         map[uuid.UUID]bool
	failAppends int
}

func newStreams() *streams {
	return &streams{events: map[string][]event.Event{}, ids: map[uuid.UUID]bool{}}
}

func (s *streams) Append(_ context.Context, stream string, _ event.ExpectedRevision, evs ...event.Proposed) (event.AppendResult, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.failAppends > 0 {
		s.failAppends--
		return event.AppendResult{}, errors.New("disk full")
	}
	for _, p := range evs {
		if s.ids[p.ID] {
			return event.AppendResult{Duplicate: true}, nil
		}
		s.ids[p.ID] = true
		s.events[stream] = append(s.events[stream], event.Event{ID: p.ID, Stream: stream,
			Revision: event.Revision(len(s.events[stream]) + 1), Type: p.Type, Version: p.Version,
			Recorded: time.Now().UTC(), Data: p.Data, Metadata: p.Metadata})
	}
	return event.AppendResult{}, nil
}

func (s *streams) ReadStream(_ context.Context, stream string, _ event.Revision, _ int) ([]event.Event, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]event.Event(nil), s.events[stream]...), nil
}

// submitted returns the PinSubmitted events of a batch, in order.
func (s *streams) submitted(t *testing.T, batch uuid.UUID) []catalogue.PinSubmitted {
	t.Helper()
	evs, err := s.ReadStream(context.Background(), catalogue.BatchStream(batch), 0, 0)
	require.NoError(t, err)
	var out []catalogue.PinSubmitted
	for _, ev := range evs {
		p, err := catalogue.Default().Decode(ev)
		require.NoError(t, err)
		if v, ok := p.(catalogue.PinSubmitted); ok {
			out = append(out, v)
		}
	}
	return out
}

// ledger is a fake chain node for one signing key: the transactions it
// knows (pooled or mined) by hash and by nonce. A transaction whose nonce
// another one holds is refused with ErrNonceTaken, as a real node refuses
// it with "nonce too low".
type ledger struct {
	mu      sync.Mutex
	byHash  map[string]fakeTx
	byNonce map[uint64]string
	down    bool
}

type fakeTx struct {
	batch uuid.UUID
	nonce uint64
	mined bool
}

func newLedger() *ledger {
	return &ledger{byHash: map[string]fakeTx{}, byNonce: map[uint64]string{}}
}

// nextNonce is the signer's pending transaction count.
func (l *ledger) nextNonce() uint64 {
	var n uint64
	for nonce := range l.byNonce {
		n = max(n, nonce+1)
	}
	return n
}

// txsOf counts the transactions of the chain that pin batch.
func (l *ledger) txsOf(batch uuid.UUID) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, tx := range l.byHash {
		if tx.batch == batch {
			n++
		}
	}
	return n
}

// mineAll mines every known transaction.
func (l *ledger) mineAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for h, tx := range l.byHash {
		tx.mined = true
		l.byHash[h] = tx
	}
}

// forget drops a pooled transaction (the node restarted without it).
func (l *ledger) forget(txHash string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	tx := l.byHash[txHash]
	delete(l.byHash, txHash)
	delete(l.byNonce, tx.nonce)
}

// takeNonce makes another transaction of the signer (another process, or
// one sent before the node lost what came before) hold nonce.
func (l *ledger) takeNonce(nonce uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := fmt.Sprintf("0x%064x", 1<<20+nonce)
	l.byHash[h] = fakeTx{nonce: nonce, mined: true}
	l.byNonce[nonce] = h
}

// fakeSubmitter signs for a ledger. Like the Ethereum adapter, it reserves
// no nonce when it prepares: it asks the node.
type fakeSubmitter struct {
	l        *ledger
	mu       sync.Mutex
	prepared int
	sends    int
	revert   string
	// beforeSend, if set, runs first in Send; an error it returns is
	// Send's (the transaction does not reach the node).
	beforeSend func(ctx context.Context, tx chain.SignedPin) error
}

func (s *fakeSubmitter) Name() string                { return "ethereum:1337" }
func (s *fakeSubmitter) Signer() protocol.SigningKey { return chaintest.Key }

func (s *fakeSubmitter) Prepare(_ context.Context, req chain.PinRequest) (chain.SignedPin, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.revert != "" {
		return chain.SignedPin{}, &chain.RevertError{Reason: s.revert}
	}
	s.l.mu.Lock()
	down, nonce := s.l.down, s.l.nextNonce()
	s.l.mu.Unlock()
	if down {
		return chain.SignedPin{}, chaintest.ErrDown
	}
	s.prepared++
	raw := fmt.Appendf(nil, "%s|%s|%d|%d", req.BatchID, req.TxID, nonce, s.prepared)
	return chain.SignedPin{Submission: chain.Submission{Chain: s.Name(), TxHash: "0x" + protocol.SHA256(raw).String(),
		Signer: chaintest.Key, Nonce: nonce}, Raw: raw}, nil
}

func (s *fakeSubmitter) Send(ctx context.Context, tx chain.SignedPin) error {
	s.mu.Lock()
	s.sends++
	hook := s.beforeSend
	s.mu.Unlock()
	if hook != nil {
		if err := hook(ctx, tx); err != nil {
			return err
		}
	}
	batch, err := uuid.ParseBytes(tx.Raw[:min(36, len(tx.Raw))])
	if err != nil {
		return fmt.Errorf("not a transaction of this chain: %w", err)
	}
	l := s.l
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.down:
		return chaintest.ErrDown
	case l.byHash[tx.TxHash] != (fakeTx{}):
		return nil // already known, or mined
	case l.byNonce[tx.Nonce] != "":
		return fmt.Errorf("%w: nonce too low", chain.ErrNonceTaken)
	}
	l.byHash[tx.TxHash] = fakeTx{batch: batch, nonce: tx.Nonce}
	l.byNonce[tx.Nonce] = tx.TxHash
	return nil
}

func (s *fakeSubmitter) TxStatus(_ context.Context, txHash string) (chain.TxStatus, error) {
	s.l.mu.Lock()
	defer s.l.mu.Unlock()
	if s.l.down {
		return chain.TxStatus{}, chaintest.ErrDown
	}
	tx, ok := s.l.byHash[txHash]
	switch {
	case !ok:
		return chain.TxStatus{State: chain.TxUnknown}, nil
	case tx.mined:
		return chain.TxStatus{State: chain.TxMined, BlockNumber: 1}, nil
	}
	return chain.TxStatus{State: chain.TxPending}, nil
}

func (s *fakeSubmitter) counts() (prepared, sends int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.prepared, s.sends
}

func request() chain.PinRequest {
	id := uuid.New()
	return chain.PinRequest{Namespace: "default", TxID: uuid.New(), BatchID: id, BatchHash: protocol.SHA256(id[:]),
		PayloadRef: "shared:x", Contexts: []protocol.Hash{protocol.SHA256([]byte("c"))}}
}

// errKilled stands for the process dying between recording and sending.
var errKilled = errors.New("killed")

// TestPinRecordsBeforeSending: when the transaction reaches the node, its
// PinSubmitted, with the transaction's bytes, is in the store already.
func TestPinRecordsBeforeSending(t *testing.T) {
	store, l := newStreams(), newLedger()
	req := request()
	sub := &fakeSubmitter{l: l}
	sub.beforeSend = func(_ context.Context, tx chain.SignedPin) error {
		recorded := store.submitted(t, req.BatchID)
		if assert.Len(t, recorded, 1, "recorded before it is sent") {
			assert.Equal(t, tx.TxHash, recorded[0].TxHash)
			assert.Equal(t, fmt.Sprintf("%x", tx.Raw), recorded[0].RawTx)
			assert.Equal(t, tx.Nonce, recorded[0].Nonce)
		}
		return nil
	}
	got, err := chain.NewPinner(sub, store, catalogue.Default(), chain.PinnerOptions{}).Pin(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, 1, l.txsOf(req.BatchID))
	assert.Equal(t, store.submitted(t, req.BatchID)[0].TxHash, got.TxHash)
}

// TestASendThatNeverReturnsIsCutShort: a node that died while it
// answered can leave a call waiting forever (TestFaults once saw a member's
// pin worker stuck so after the chain was killed, its later batches never
// pinned). The attempt gives up after AttemptTimeout and the next one sends
// the recorded transaction again.
func TestASendThatNeverReturnsIsCutShort(t *testing.T) {
	store, l := newStreams(), newLedger()
	req := request()
	sub := &fakeSubmitter{l: l}
	var hung atomic.Bool
	sub.beforeSend = func(ctx context.Context, _ chain.SignedPin) error {
		if hung.CompareAndSwap(false, true) {
			<-ctx.Done() // the dead connection: only the deadline ends it
			return ctx.Err()
		}
		return nil
	}
	p := chain.NewPinner(sub, store, catalogue.Default(), chain.PinnerOptions{
		AttemptTimeout: 50 * time.Millisecond, RetryMin: time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	got, err := p.Pin(ctx, req)
	require.NoError(t, err)
	prepared, sends := sub.counts()
	assert.Equal(t, 1, prepared, "one transaction signed")
	assert.Equal(t, 2, sends, "the recorded transaction sent again after the hung attempt")
	recorded := store.submitted(t, req.BatchID)
	require.Len(t, recorded, 1)
	assert.Equal(t, recorded[0].TxHash, got.TxHash)
}

// TestPinAfterACrashBetweenRecordAndSend: the process dies after recording
// the transaction and before sending it; the next run's Pin, and a Check,
// send that same transaction, and the chain holds the batch once.
func TestPinAfterACrashBetweenRecordAndSend(t *testing.T) {
	for _, next := range []string{"Pin", "Check"} {
		t.Run(next, func(t *testing.T) {
			store, l := newStreams(), newLedger()
			req := request()
			dying := &fakeSubmitter{l: l, beforeSend: func(context.Context, chain.SignedPin) error { return errKilled }}
			_, err := chain.NewPinner(dying, store, catalogue.Default(), chain.PinnerOptions{}).PinOnce(context.Background(), req)
			require.ErrorIs(t, err, errKilled)
			require.Len(t, store.submitted(t, req.BatchID), 1)
			require.Zero(t, l.txsOf(req.BatchID), "nothing reached the chain")
			recorded := store.submitted(t, req.BatchID)[0]

			restarted := &fakeSubmitter{l: l}
			p := chain.NewPinner(restarted, store, catalogue.Default(), chain.PinnerOptions{})
			var got chain.Submission
			if next == "Pin" {
				got, err = p.Pin(context.Background(), req)
				require.NoError(t, err)
			} else {
				var st chain.TxStatus
				st, got, err = p.Check(context.Background(), req)
				require.NoError(t, err)
				assert.Equal(t, chain.TxUnknown, st.State, "the node did not have it")
			}
			assert.Equal(t, recorded.TxHash, got.TxHash, "the recorded transaction is the one sent")
			prepared, _ := restarted.counts()
			assert.Zero(t, prepared, "no new transaction is signed")
			assert.Equal(t, 1, l.txsOf(req.BatchID))
			assert.Len(t, store.submitted(t, req.BatchID), 1)

			// Whatever the pipeline asks next, the chain keeps one copy.
			_, err = p.PinOnce(context.Background(), req)
			require.NoError(t, err)
			l.mineAll()
			st, _, err := p.Check(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, chain.TxMined, st.State)
			_, err = p.PinOnce(context.Background(), req)
			require.NoError(t, err, "sending a mined transaction again is harmless")
			assert.Equal(t, 1, l.txsOf(req.BatchID))
		})
	}
}

// TestNodeDownAfterRecording: the send fails because the node is down; the
// retries send the recorded transaction, not new ones.
func TestNodeDownAfterRecording(t *testing.T) {
	store, l := newStreams(), newLedger()
	req := request()
	sub := &fakeSubmitter{l: l}
	fails := 0
	sub.beforeSend = func(context.Context, chain.SignedPin) error {
		if fails < 3 {
			fails++
			return chaintest.ErrDown
		}
		return nil
	}
	retries := 0
	p := chain.NewPinner(sub, store, catalogue.Default(), chain.PinnerOptions{RetryMin: time.Millisecond, RetryMax: time.Millisecond,
		OnRetry: func(_ chain.PinRequest, _ int, err error) {
			assert.ErrorIs(t, err, chain.ErrUnavailable)
			retries++
		}})
	_, err := p.Pin(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, 3, retries)
	prepared, sends := sub.counts()
	assert.Equal(t, 1, prepared, "one transaction signed")
	assert.Equal(t, 4, sends, "and sent until the node took it")
	assert.Equal(t, 1, l.txsOf(req.BatchID))
	assert.Len(t, store.submitted(t, req.BatchID), 1)
}

// TestLostTransactionWhoseNonceWasTakenIsReplaced: the recorded transaction
// never reached the node (or the node restarted without it) and another
// transaction of the signer took its nonce, so it can never be mined. Check
// signs a new one, records it as a further PinSubmitted that supersedes
// the first, and sends it; later calls work on the new one.
func TestLostTransactionWhoseNonceWasTakenIsReplaced(t *testing.T) {
	for _, how := range []string{"never sent", "dropped by the node"} {
		t.Run(how, func(t *testing.T) {
			store, l := newStreams(), newLedger()
			req := request()
			sub := &fakeSubmitter{l: l}
			if how == "never sent" {
				sub.beforeSend = func(context.Context, chain.SignedPin) error { return errKilled }
			}
			p := chain.NewPinner(sub, store, catalogue.Default(), chain.PinnerOptions{})
			first, err := p.PinOnce(context.Background(), req)
			if how == "never sent" {
				require.ErrorIs(t, err, errKilled)
				first = chain.Submission{TxHash: store.submitted(t, req.BatchID)[0].TxHash}
				sub.mu.Lock()
				sub.beforeSend = nil
				sub.mu.Unlock()
			} else {
				require.NoError(t, err)
				l.forget(first.TxHash)
			}
			l.takeNonce(0)

			st, replaced, err := p.Check(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, chain.TxUnknown, st.State)
			assert.NotEqual(t, first.TxHash, replaced.TxHash)
			assert.Equal(t, uint64(1), replaced.Nonce, "the next free nonce")
			recorded := store.submitted(t, req.BatchID)
			require.Len(t, recorded, 2)
			assert.Equal(t, first.TxHash, recorded[0].TxHash)
			assert.Equal(t, replaced.TxHash, recorded[1].TxHash, "the replacement is recorded last")
			assert.Equal(t, 1, l.txsOf(req.BatchID), "the chain holds the batch once")

			st, now, err := p.Check(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, chain.TxPending, st.State, "the replacement is what Check asks about")
			assert.Equal(t, replaced.TxHash, now.TxHash)
			again, err := p.PinOnce(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, replaced, again)
			assert.Len(t, store.submitted(t, req.BatchID), 2)
			assert.Equal(t, 1, l.txsOf(req.BatchID))
		})
	}
}

// TestPinOnceReplacesATransactionWhoseNonceWasTaken: another sender from
// the same key takes the nonce between signing and sending (the retry in
// the pipeline's own operation loop, without Check).
func TestPinOnceReplacesATransactionWhoseNonceWasTaken(t *testing.T) {
	store, l := newStreams(), newLedger()
	req := request()
	sub := &fakeSubmitter{l: l}
	taken := false
	sub.beforeSend = func(_ context.Context, tx chain.SignedPin) error {
		if !taken {
			taken = true
			l.takeNonce(tx.Nonce)
		}
		return nil
	}
	got, err := chain.NewPinner(sub, store, catalogue.Default(), chain.PinnerOptions{}).PinOnce(context.Background(), req)
	require.NoError(t, err)
	recorded := store.submitted(t, req.BatchID)
	require.Len(t, recorded, 2)
	assert.Equal(t, got.TxHash, recorded[1].TxHash)
	assert.Equal(t, uint64(1), got.Nonce)
	assert.Equal(t, 1, l.txsOf(req.BatchID))
}

// TestAFailedRecordSendsNothing: a transaction that could not be recorded
// is not sent, and leaves no gap: the next attempt signs with the same
// nonce.
func TestAFailedRecordSendsNothing(t *testing.T) {
	store, l := newStreams(), newLedger()
	store.failAppends = 1
	req := request()
	sub := &fakeSubmitter{l: l}
	p := chain.NewPinner(sub, store, catalogue.Default(), chain.PinnerOptions{})
	_, err := p.PinOnce(context.Background(), req)
	require.Error(t, err)
	assert.NotErrorIs(t, err, chain.ErrUnavailable, "a store failure is returned as is")
	_, sends := sub.counts()
	assert.Zero(t, sends)
	got, err := p.PinOnce(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, uint64(0), got.Nonce)
	assert.Equal(t, 1, l.txsOf(req.BatchID))
}

// TestARevertIsRecordedAndNotRetried: a request the chain says would revert
// is recorded as PinFailed, nothing is signed or sent, and it stays failed.
func TestARevertIsRecordedAndNotRetried(t *testing.T) {
	store, l := newStreams(), newLedger()
	req := request()
	sub := &fakeSubmitter{l: l, revert: "paused"}
	p := chain.NewPinner(sub, store, catalogue.Default(), chain.PinnerOptions{RetryMin: time.Millisecond})
	_, err := p.Pin(context.Background(), req)
	var revert *chain.RevertError
	require.ErrorAs(t, err, &revert)
	assert.Equal(t, "paused", revert.Reason)
	_, err = p.PinOnce(context.Background(), req)
	assert.ErrorIs(t, err, chain.ErrReverted)
	_, sends := sub.counts()
	assert.Zero(t, sends)
	assert.Empty(t, store.submitted(t, req.BatchID))
	evs, err := store.ReadStream(context.Background(), catalogue.BatchStream(req.BatchID), 0, 0)
	require.NoError(t, err)
	require.Len(t, evs, 1)
	assert.Equal(t, "PinFailed", evs[0].Type)
}

// TestAPinRecordedWithoutItsBytes: a PinSubmitted recorded before
// transactions were recorded with their bytes is taken as sent; once the
// chain says it lost it, Check replaces it by a recorded new transaction.
func TestAPinRecordedWithoutItsBytes(t *testing.T) {
	store, l := newStreams(), newLedger()
	req := request()
	old := catalogue.PinSubmitted{Namespace: req.Namespace, BatchID: req.BatchID, TxID: req.TxID, BatchHash: req.BatchHash,
		Contexts: req.Contexts, PayloadRef: req.PayloadRef, Signer: chaintest.Key, Chain: "ethereum:1337",
		TxHash: fmt.Sprintf("0x%064x", 7), Nonce: 0}
	ev, err := catalogue.Default().Encode(uuid.New(), old, event.Metadata{Namespace: req.Namespace})
	require.NoError(t, err)
	_, err = store.Append(context.Background(), catalogue.BatchStream(req.BatchID), event.Any(), ev)
	require.NoError(t, err)

	sub := &fakeSubmitter{l: l}
	p := chain.NewPinner(sub, store, catalogue.Default(), chain.PinnerOptions{})
	got, err := p.PinOnce(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, old.TxHash, got.TxHash)
	prepared, sends := sub.counts()
	assert.Zero(t, prepared+sends, "nothing to send again")

	st, replaced, err := p.Check(context.Background(), req)
	require.NoError(t, err)
	assert.Equal(t, chain.TxUnknown, st.State)
	assert.NotEqual(t, old.TxHash, replaced.TxHash)
	recorded := store.submitted(t, req.BatchID)
	require.Len(t, recorded, 2)
	assert.NotEmpty(t, recorded[1].RawTx)
	assert.Equal(t, 1, l.txsOf(req.BatchID))
}
