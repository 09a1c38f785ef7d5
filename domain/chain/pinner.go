package chain

import (
	"context"
	"errors"
	"fmt"
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
}

// Pinner puts batch pins on chain through a Submitter and records the
// outcome in the batch's stream: PinSubmitted with the transaction hash, or
// PinFailed with the reason when the chain says the transaction reverts
// (retrying that would only fail again).
type Pinner struct {
	submitter Submitter
	store     event.Store
	cat       *catalogue.Catalogue
	opts      PinnerOptions
}

// NewPinner returns a pinner.
func NewPinner(s Submitter, store event.Store, cat *catalogue.Catalogue, opts PinnerOptions) *Pinner {
	if opts.RetryMin <= 0 {
		opts.RetryMin = 200 * time.Millisecond
	}
	if opts.RetryMax < opts.RetryMin {
		opts.RetryMax = max(30*time.Second, opts.RetryMin)
	}
	return &Pinner{submitter: s, store: store, cat: cat, opts: opts}
}

// pinIDSpace seeds the ids of the pinner's events, derived from the
// request's transaction id: a request is recorded at most once.
var pinIDSpace = uuid.MustParse("6c0e3b9a-2f57-4d1e-8a64-91b7c5d2e308")

// Pin submits req unless its transaction id was already recorded as
// submitted or failed (then it returns what was recorded), retrying with
// back-off while the node is unreachable, until ctx ends. It returns the
// submission, or an error wrapping ErrReverted after recording PinFailed.
//
// A crash after the transaction was sent and before PinSubmitted was
// recorded sends it again on the next Pin: the chain then holds the batch
// twice, which the aggregator decides as a duplicate.
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
// retries: it returns what was recorded for req's transaction id if
// anything was, else submits once. A failure the chain did not answer
// wraps ErrUnavailable; a revert is recorded as PinFailed and returned as
// a *RevertError; a failure to record is returned as is.
func (p *Pinner) PinOnce(ctx context.Context, req PinRequest) (Submission, error) {
	stream := catalogue.BatchStream(req.BatchID)
	if sub, found, err := p.recorded(ctx, stream, req); found || err != nil {
		return sub, err
	}
	sub, err := p.submitter.Submit(ctx, req)
	var revert *RevertError
	switch {
	case err == nil:
		return sub, p.record(ctx, stream, req, catalogue.PinSubmitted{Namespace: req.Namespace, BatchID: req.BatchID,
			TxID: req.TxID, BatchHash: req.BatchHash, Contexts: req.Contexts, PayloadRef: req.PayloadRef,
			Signer: sub.Signer, Chain: sub.Chain, TxHash: sub.TxHash, Nonce: sub.Nonce})
	case errors.As(err, &revert):
		failed := catalogue.PinFailed{Namespace: req.Namespace, BatchID: req.BatchID, TxID: req.TxID,
			Chain: chainName(p.submitter), TxHash: revert.TxHash, Reason: revert.Reason}
		if rerr := p.record(ctx, stream, req, failed); rerr != nil {
			return Submission{}, rerr
		}
		return Submission{}, err
	default:
		return Submission{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
}

// chainName is the submitter's chain name if it tells it.
func chainName(s Submitter) string {
	if n, ok := s.(interface{ Name() string }); ok {
		return n.Name()
	}
	return "unknown"
}

func (p *Pinner) record(ctx context.Context, stream string, req PinRequest, payload catalogue.Payload) error {
	return p.recordAs(ctx, stream, req, req.TxID.String(), payload)
}

// recordAs records an outcome with an id derived from key: the request's
// transaction id for the first outcome, plus the lost transaction's hash
// for a resubmission, so each is recorded at most once.
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
// after a resubmission the latest outcome is the one that counts.
func (p *Pinner) recorded(ctx context.Context, stream string, req PinRequest) (Submission, bool, error) {
	evs, err := p.store.ReadStream(ctx, stream, 0, 0)
	if err != nil {
		return Submission{}, false, fmt.Errorf("reading %s: %w", stream, err)
	}
	for i := len(evs) - 1; i >= 0; i-- {
		ev := evs[i]
		if ev.Type != "PinSubmitted" && ev.Type != "PinFailed" {
			continue
		}
		payload, err := p.cat.Decode(ev)
		if err != nil {
			return Submission{}, false, err
		}
		switch v := payload.(type) {
		case catalogue.PinSubmitted:
			if v.TxID == req.TxID {
				return Submission{Chain: v.Chain, TxHash: v.TxHash, Signer: v.Signer, Nonce: v.Nonce}, true, nil
			}
		case catalogue.PinFailed:
			if v.TxID == req.TxID {
				return Submission{}, true, &RevertError{TxHash: v.TxHash, Reason: v.Reason}
			}
		}
	}
	return Submission{}, false, nil
}

// Check asks the chain what became of the transaction that pins req, as
// recorded, and acts on it: a transaction the chain no longer knows (the
// node restarted and dropped its pool, say) is sent again and the new
// submission recorded; one that was mined and reverted is recorded as
// PinFailed and returned as a *RevertError. A pending or mined one is
// returned as is. A submitter that cannot look transactions up reports
// TxPending forever; so does a request with nothing recorded yet.
func (p *Pinner) Check(ctx context.Context, req PinRequest) (TxStatus, Submission, error) {
	stream := catalogue.BatchStream(req.BatchID)
	sub, found, err := p.recorded(ctx, stream, req)
	if err != nil || !found {
		return TxStatus{State: TxPending}, sub, err
	}
	receipts, ok := p.submitter.(Receipts)
	if !ok {
		return TxStatus{State: TxPending}, sub, nil
	}
	st, err := receipts.TxStatus(ctx, sub.TxHash)
	if err != nil {
		return TxStatus{}, sub, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	switch st.State {
	case TxReverted:
		failed := catalogue.PinFailed{Namespace: req.Namespace, BatchID: req.BatchID, TxID: req.TxID,
			Chain: chainName(p.submitter), TxHash: sub.TxHash, Reason: st.Reason}
		if err := p.recordAs(ctx, stream, req, req.TxID.String()+"/"+sub.TxHash, failed); err != nil {
			return st, sub, err
		}
		return st, sub, &RevertError{TxHash: sub.TxHash, Reason: st.Reason}
	case TxUnknown:
		again, err := p.submitter.Submit(ctx, req)
		if err != nil {
			var revert *RevertError
			if errors.As(err, &revert) {
				return st, sub, err
			}
			return st, sub, fmt.Errorf("%w: resubmitting lost transaction %s: %w", ErrUnavailable, sub.TxHash, err)
		}
		resubmitted := catalogue.PinSubmitted{Namespace: req.Namespace, BatchID: req.BatchID, TxID: req.TxID,
			BatchHash: req.BatchHash, Contexts: req.Contexts, PayloadRef: req.PayloadRef, Signer: again.Signer,
			Chain: again.Chain, TxHash: again.TxHash, Nonce: again.Nonce}
		return st, again, p.recordAs(ctx, stream, req, req.TxID.String()+"/"+sub.TxHash, resubmitted)
	}
	return st, sub, nil
}
