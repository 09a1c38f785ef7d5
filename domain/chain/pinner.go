package chain

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// PinnerOptions configures a Pinner.
type PinnerOptions struct {
	// RetryMin and RetryMax bound the back-off while the chain node is down
	// or failing. Defaults 200 ms and 30 s.
	RetryMin, RetryMax time.Duration
	// OnRetry is told about each failed attempt that will be retried.
	// Optional.
	OnRetry func(req PinRequest, attempt int, err error)
	// AttemptTimeout bounds one attempt (PinOnce, Check): its calls to the
	// node and the recording of what they did. A call can wait forever for
	// a node that died while it answered (a WebSocket connection whose
	// peer vanished); the attempt then fails as ErrUnavailable and the
	// next one sends the recorded transaction again. Default 30 s.
	AttemptTimeout time.Duration
}

// DefaultAttemptTimeout is PinnerOptions.AttemptTimeout's default: far
// longer than a node takes to answer, short enough that a pin stuck on a
// dead connection moves on within a minute.
const DefaultAttemptTimeout = 30 * time.Second

// Pinner puts batch pins on chain through a Submitter and records them in
// the batch's stream, write-ahead: it signs the transaction, records
// PinSubmitted with the transaction's hash and raw bytes, and only then
// broadcasts it. A crash at any point leaves either nothing sent and
// nothing recorded (the next run pins afresh), or a recorded transaction
// that may or may not have reached the node; the next run broadcasts that
// same transaction again, which is harmless if the node has it already, so
// the chain never holds the batch twice. A request the chain says would
// revert is recorded as PinFailed with the reason (retrying it would only
// fail again).
//
// A recorded transaction that can no longer be mined (the node lost it and
// another transaction of the signer took its nonce) is replaced: a new
// transaction is signed and recorded as a further PinSubmitted for the same
// request, which supersedes the earlier one. Only the latest recorded
// outcome of a request counts here; the aggregator and the projections
// order pins by what the chain shows (PinObserved), and the lost
// transaction cannot reach the chain any more.
type Pinner struct {
	submitter Submitter
	store     event.Store
	cat       *catalogue.Catalogue
	opts      PinnerOptions
	// mu makes signing, recording and sending one step: two transactions
	// signed at once would carry the same nonce (Submitter.Prepare), and a
	// request looked at twice at once could be pinned twice.
	mu sync.Mutex
}

// NewPinner returns a pinner.
func NewPinner(s Submitter, store event.Store, cat *catalogue.Catalogue, opts PinnerOptions) *Pinner {
	if opts.RetryMin <= 0 {
		opts.RetryMin = 200 * time.Millisecond
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(30*time.Second, opts.RetryMin)
	}
	if opts.AttemptTimeout <= 0 {
		opts.AttemptTimeout = DefaultAttemptTimeout
	}
	return &Pinner{submitter: s, store: store, cat: cat, opts: opts}
}

// pinIDSpace seeds the ids of the pinner's events, derived from the
// request's transaction id: a request is recorded at most once.
var pinIDSpace = uuid.MustParse("6c0e3b9a-2f57-4d1e-8a64-91b7c5d2e308")

// Pin pins req, retrying with back-off while the node is unreachable,
// until ctx ends (see PinOnce). It returns the submission, or an error
// wrapping ErrReverted after recording PinFailed.
//
// The transaction is recorded before it is sent, so a crash between the
// two leaves a recorded transaction that the next Pin (or Check) sends
// again, never a second transaction for the batch.
func (p *Pinner) Pin(ctx context.Context, req PinRequest) (Submission, error) {
	retry := p.opts.RetryMin
	for attempt := 1; ; attempt++ {
		sub, err := p.PinOnce(ctx, req)
		if err == nil || errors.Is(err, ErrReverted) || !errors.Is(err, ErrUnavailable) {
			return sub, err
		}
		if ctx.Err() != nil {
			return Submission{}, fmt.Errorf("pinning batch %s: %w (last error: %w)", req.BatchID, ctx.Err(), err)
		}
		if p.opts.OnRetry != nil {
			p.opts.OnRetry(req, attempt, err)
		}
		if !sleep(ctx, retry) {
			return Submission{}, fmt.Errorf("pinning batch %s: %w (last error: %w)", req.BatchID, ctx.Err(), err)
		}
		retry = min(2*retry, p.opts.RetryMax)
	}
}

// ErrUnavailable wraps a submission that failed without an answer from the
// chain (node down, timeout): trying again later may work.
var ErrUnavailable = errors.New("chain unavailable")

// PinOnce is one attempt of Pin, for callers that schedule their own
// retries. With nothing recorded for req's transaction id, it signs a
// transaction, records it (PinSubmitted) and sends it. With a transaction
// recorded, it sends that one again (a no-op for the chain if its node has
// it already), replacing it with a new one when its nonce was taken; a
// recorded failure is returned as a *RevertError. A PinSubmitted recorded
// before transactions were recorded with their bytes is returned as is
// (Check replaces it if the chain lost it). A failure the chain did not
// answer wraps ErrUnavailable, also when the transaction was recorded and
// not sent (the next attempt sends it); a revert is recorded as PinFailed
// and returned as a *RevertError; a failure to record is returned as is.
func (p *Pinner) PinOnce(ctx context.Context, req PinRequest) (Submission, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	// The lock is waited for without a deadline: whoever holds it is
	// bounded by one.
	ctx, cancel := context.WithTimeout(ctx, p.opts.AttemptTimeout)
	defer cancel()
	stream := catalogue.BatchStream(req.BatchID)
	rec, found, err := p.recorded(ctx, stream, req)
	switch {
	case err != nil:
		return Submission{}, err
	case !found:
		return p.pinNew(ctx, stream, req, "")
	case rec.Raw == nil:
		return rec.Submission, nil
	}
	return p.resend(ctx, stream, req, rec)
}

// resend sends a recorded transaction again, or replaces it when its nonce
// was taken. Callers hold p.mu.
func (p *Pinner) resend(ctx context.Context, stream string, req PinRequest, rec SignedPin) (Submission, error) {
	err := p.submitter.Send(ctx, rec)
	switch {
	case err == nil:
		return rec.Submission, nil
	case errors.Is(err, ErrNonceTaken):
		return p.pinNew(ctx, stream, req, rec.TxHash)
	}
	return rec.Submission, fmt.Errorf("%w: sending the recorded transaction %s of batch %s: %w", ErrUnavailable, rec.TxHash, req.BatchID, err)
}

// pinNew signs a new transaction for req, records it and sends it;
// supersedes is the hash of the recorded transaction it replaces (empty
// for the first). Callers hold p.mu.
func (p *Pinner) pinNew(ctx context.Context, stream string, req PinRequest, supersedes string) (Submission, error) {
	var recordErr error
	signed, err := submit(ctx, p.submitter, req, func(signed SignedPin) error {
		recordErr = p.recordAs(ctx, stream, req, outcomeKey(req, supersedes), submitted(req, signed))
		if recordErr == nil {
			supersedes = signed.TxHash
		}
		return recordErr
	})
	var revert *RevertError
	switch {
	case err == nil:
		return signed.Submission, nil
	case recordErr != nil:
		return Submission{}, recordErr
	case errors.As(err, &revert):
		failed := catalogue.PinFailed{Namespace: req.Namespace, BatchID: req.BatchID, TxID: req.TxID,
			Chain: chainName(p.submitter), TxHash: revert.TxHash, Reason: revert.Reason}
		if rerr := p.recordAs(ctx, stream, req, outcomeKey(req, supersedes), failed); rerr != nil {
			return Submission{}, rerr
		}
		return Submission{}, err
	}
	return signed.Submission, fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// outcomeKey is what the id of an outcome of req is derived from: the
// request's transaction id for the first outcome, and with the hash of the
// transaction it supersedes for a later one, so each is recorded at most
// once.
func outcomeKey(req PinRequest, supersedes string) string {
	if supersedes == "" {
		return req.TxID.String()
	}
	return req.TxID.String() + "/" + supersedes
}

// submitted is the PinSubmitted that records a signed transaction.
func submitted(req PinRequest, signed SignedPin) catalogue.PinSubmitted {
	return catalogue.PinSubmitted{Namespace: req.Namespace, BatchID: req.BatchID, TxID: req.TxID,
		BatchHash: req.BatchHash, Contexts: req.Contexts, PayloadRef: req.PayloadRef, Signer: signed.Signer,
		Chain: signed.Chain, TxHash: signed.TxHash, Nonce: signed.Nonce, RawTx: hex.EncodeToString(signed.Raw)}
}

// chainName is the submitter's chain name if it tells it.
func chainName(s Submitter) string {
	if n, ok := s.(interface{ Name() string }); ok {
		return n.Name()
	}
	return "unknown"
}

// recordAs records an outcome of req with an id derived from key (see
// outcomeKey); recording the same outcome again is a no-op.
func (p *Pinner) recordAs(ctx context.Context, stream string, req PinRequest, key string, payload catalogue.Payload) error {
	id := uuid.NewSHA1(pinIDSpace, []byte(key))
	ev, err := p.cat.Encode(id, payload, event.Metadata{Namespace: req.Namespace, CorrelationID: req.BatchID.String()})
	if err != nil {
		return fmt.Errorf("recording the pin of batch %s: %w", req.BatchID, err)
	}
	if _, err := p.store.Append(ctx, stream, event.Any(), ev); err != nil {
		return fmt.Errorf("recording the pin of batch %s: %w", req.BatchID, err)
	}
	return nil
}

// recorded looks for an outcome already recorded for req's transaction id;
// after a replacement the latest outcome is the one that counts. A recorded
// failure is returned as a *RevertError (found true). Raw is nil for a
// PinSubmitted recorded without the transaction's bytes.
func (p *Pinner) recorded(ctx context.Context, stream string, req PinRequest) (SignedPin, bool, error) {
	evs, err := p.store.ReadStream(ctx, stream, 0, 0)
	if err != nil {
		return SignedPin{}, false, fmt.Errorf("reading %s: %w", stream, err)
	}
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		if ev.Type != "PinSubmitted" && ev.Type != "PinFailed" {
			continue
		}
		payload, err := p.cat.Decode(ev)
		if err != nil {
			return SignedPin{}, false, err
		}
		switch v := payload.(type) {
		case catalogue.PinSubmitted:
			if v.TxID != req.TxID {
				continue
			}
			rec := SignedPin{Submission: Submission{Chain: v.Chain, TxHash: v.TxHash, Signer: v.Signer, Nonce: v.Nonce}}
			if v.RawTx != "" {
				if rec.Raw, err = hex.DecodeString(v.RawTx); err != nil {
					return SignedPin{}, false, fmt.Errorf("the recorded transaction %s of batch %s: %w", v.TxHash, req.BatchID, err)
				}
			}
			return rec, true, nil
		case catalogue.PinFailed:
			if v.TxID == req.TxID {
				return SignedPin{}, true, &RevertError{TxHash: v.TxHash, Reason: v.Reason}
			}
		}
	}
	return SignedPin{}, false, nil
}

// Check asks the chain what became of the transaction that pins req, as
// recorded, and acts on it. A transaction the node does not know (it was
// recorded and the process stopped before sending it, or the node dropped
// it from its pool) is sent again as recorded, or replaced by a new one
// recorded as a further PinSubmitted when its nonce was taken (or it was
// recorded without its bytes); the status returned is then TxUnknown, with
// the submission now in flight. A transaction mined and reverted is
// recorded as PinFailed and returned as a *RevertError. A pending or mined
// one is returned as is. A submitter that cannot look transactions up
// reports TxPending forever; so does a request with nothing recorded yet.
// A check, like a PinOnce, gives up after AttemptTimeout (ErrUnavailable).
func (p *Pinner) Check(ctx context.Context, req PinRequest) (TxStatus, Submission, error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.AttemptTimeout)
	defer cancel()
	stream := catalogue.BatchStream(req.BatchID)
	rec, found, err := p.recorded(ctx, stream, req)
	if err != nil || !found {
		return TxStatus{State: TxPending}, rec.Submission, err
	}
	receipts, ok := p.submitter.(Receipts)
	if !ok {
		return TxStatus{State: TxPending}, rec.Submission, nil
	}
	st, err := p.status(ctx, receipts, rec)
	if err != nil || st.State != TxUnknown {
		return p.checked(ctx, stream, req, rec, st, err)
	}
	// Lost, it seems: look again holding the lock, as a PinOnce of the
	// request may have been between recording and sending.
	p.mu.Lock()
	defer p.mu.Unlock()
	if rec, _, err = p.recorded(ctx, stream, req); err != nil {
		return TxStatus{}, rec.Submission, err
	}
	if st, err = p.status(ctx, receipts, rec); err != nil || st.State != TxUnknown {
		return p.checked(ctx, stream, req, rec, st, err)
	}
	var sub Submission
	if rec.Raw == nil {
		sub, err = p.pinNew(ctx, stream, req, rec.TxHash)
	} else {
		sub, err = p.resend(ctx, stream, req, rec)
	}
	if err != nil {
		return st, rec.Submission, err
	}
	return st, sub, nil
}

// status asks the chain about a recorded transaction.
func (p *Pinner) status(ctx context.Context, receipts Receipts, rec SignedPin) (TxStatus, error) {
	st, err := receipts.TxStatus(ctx, rec.TxHash)
	if err != nil {
		return TxStatus{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	return st, nil
}

// checked acts on the status of a recorded transaction that is not lost:
// a mined revert is recorded as PinFailed.
func (p *Pinner) checked(ctx context.Context, stream string, req PinRequest, rec SignedPin, st TxStatus, err error) (TxStatus, Submission, error) {
	if err != nil || st.State != TxReverted {
		return st, rec.Submission, err
	}
	failed := catalogue.PinFailed{Namespace: req.Namespace, BatchID: req.BatchID, TxID: req.TxID,
		Chain: chainName(p.submitter), TxHash: rec.TxHash, Reason: st.Reason}
	if err := p.recordAs(ctx, stream, req, outcomeKey(req, rec.TxHash), failed); err != nil {
		return st, rec.Submission, err
	}
	return st, rec.Submission, &RevertError{TxHash: rec.TxHash, Reason: st.Reason}
}
