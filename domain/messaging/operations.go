package messaging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
)

// opIDSpace seeds operation ids, derived from (batch, type, target) so a
// restart finds the operation it had started instead of creating another.
var opIDSpace = uuid.MustParse("5d8a2c71-0e94-4b3f-a6d2-7c1e9f3b4a58")

func opID(batch uuid.UUID, typ OperationType, target string) uuid.UUID {
	return uuid.NewSHA1(opIDSpace, []byte(batch.String()+"/"+string(typ)+"/"+target))
}

// permanent reports whether retrying err unchanged cannot succeed. A peer
// that does not know this node yet (401) is not permanent: registrations
// are confirmed on each member a little apart, so the peer may know it on
// the next attempt.
func permanent(err error) bool {
	var refused *PeerError
	if errors.As(err, &refused) {
		return refused.Status != http401 && refused.Status != http403
	}
	return errors.Is(err, chain.ErrReverted) || errors.Is(err, ErrInvalidInput)
}

// The HTTP statuses a peer answers when it cannot tell who is asking; the
// domain names them without importing net/http.
const (
	http401 = 401
	http403 = 403
)

// runOp performs one operation: it records it, tries do until it succeeds,
// fails permanently or ctx ends, recording each failed attempt and backing
// off between attempts (RetryOperation cuts a back-off short). An operation
// that already succeeded is not done again: its output is returned.
func (p *pipeline) runOp(ctx context.Context, batch uuid.UUID, typ OperationType, target string, do func(context.Context) (string, error)) (string, error) {
	s := p.s
	id := opID(batch, typ, target)
	s.mu.Lock()
	prev, existed := s.ops[id]
	var op Operation
	if existed {
		op = *prev
	}
	s.mu.Unlock()
	if existed && op.Status == OpSucceeded {
		return op.Output, nil
	}
	now := s.now()
	if !existed {
		op = Operation{ID: id, Namespace: s.ns, Type: typ, BatchID: batch, Target: target, Created: now}
	}
	op.Status, op.Error, op.Updated = OpPending, "", now
	if err := p.recordOp(ctx, op); err != nil {
		return "", err
	}
	wake := p.opWaker(id)
	retry := s.cfg.RetryMin
	for {
		out, err := do(ctx)
		op.Attempts++
		op.Updated = s.now()
		// The waker goes before a final state is recorded: a retry asked
		// for once the operation shows failed must start it again, not
		// wake a loop that has ended.
		switch {
		case err == nil:
			p.dropWaker(id)
			op.Status, op.Error, op.Output = OpSucceeded, "", out
			return out, p.recordOp(ctx, op)
		case ctx.Err() != nil:
			p.dropWaker(id)
			return "", ctx.Err()
		case permanent(err):
			p.dropWaker(id)
			op.Status, op.Error = OpFailed, err.Error()
			s.log.Warn("operation failed", "operation", op.ID, "type", op.Type, "batch", batch, "target", target, "error", err)
			return "", errors.Join(err, p.recordOp(ctx, op))
		}
		op.Status, op.Error = OpRetrying, err.Error()
		s.log.Info("operation will be retried", "operation", op.ID, "type", op.Type, "batch", batch, "target", target,
			"attempt", op.Attempts, "in", retry, "error", err)
		if rerr := p.recordOp(ctx, op); rerr != nil {
			p.dropWaker(id)
			return "", rerr
		}
		t := time.NewTimer(retry)
		select {
		case <-ctx.Done():
			t.Stop()
			p.dropWaker(id)
			return "", ctx.Err()
		case <-wake:
			t.Stop()
		case <-t.C:
		}
		retry = min(2*retry, s.cfg.RetryMax)
	}
}

// recordOp appends the operation's state and applies it to the view at once
// (the feed applies it again, to the same result).
func (p *pipeline) recordOp(ctx context.Context, op Operation) error {
	s := p.s
	e := catalogue.OperationRecorded{Namespace: op.Namespace, ID: op.ID, Type: string(op.Type), BatchID: op.BatchID,
		Target: op.Target, Status: string(op.Status), Attempts: op.Attempts, Error: op.Error, Output: op.Output,
		Created: op.Created, Updated: op.Updated}
	for {
		err := s.append(ctx, catalogue.OperationStream(op.ID), nil, op.BatchID.String(), e)
		if err == nil {
			s.applyOperation(e)
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		// The store is failing: the operation cannot be recorded, so it
		// must not go on unrecorded either. Wait and try again.
		s.log.Error("recording an operation failed; retrying", "operation", op.ID, "error", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(s.cfg.RetryMin):
		}
	}
}

func (p *pipeline) opWaker(id uuid.UUID) chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := make(chan struct{}, 1)
	p.wakeOps[id.String()] = w
	return w
}

func (p *pipeline) dropWaker(id uuid.UUID) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.wakeOps, id.String())
}

// RetryOperation cuts a retrying operation's back-off short, or runs a
// failed one again.
func (s *Service) RetryOperation(ctx context.Context, id uuid.UUID) (Operation, error) {
	op, err := s.Operation(ctx, id)
	if err != nil {
		return Operation{}, err
	}
	p := s.pipeline
	p.mu.Lock()
	w, running := p.wakeOps[id.String()]
	started := p.ctx != nil
	p.mu.Unlock()
	switch {
	case !started:
		return Operation{}, fmt.Errorf("%w: this instance does not run namespace %s's outbound work (it is starting, or another instance of the member leads the namespace)", ErrNotReady, s.ns)
	case running:
		select {
		case w <- struct{}{}:
		default:
		}
		return op, nil
	case op.Status == OpSucceeded:
		return Operation{}, fmt.Errorf("%w: operation %s already succeeded", ErrConflict, id)
	case op.Status == OpFailed:
		if err := p.restart(op); err != nil {
			return Operation{}, err
		}
		return s.Operation(ctx, id)
	}
	return op, nil
}
