package messaging

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Message returns a message this node knows: one it sent, or one in a batch
// it received.
func (s *Service) Message(_ context.Context, id uuid.UUID) (MessageView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mv, ok := s.messages[id]
	if !ok {
		mv, ok = s.recent[id]
	}
	if !ok {
		return MessageView{}, fmt.Errorf("%w: message %s in namespace %q", ErrNotFound, id, s.ns)
	}
	return copyView(mv), nil
}

func copyView(mv *MessageView) MessageView {
	out := *mv
	out.Data = append([]protocol.DataRef{}, mv.Data...)
	return out
}

// AwaitDecision waits until the message is confirmed or rejected, or ctx
// ends (then it returns ctx's error).
func (s *Service) AwaitDecision(ctx context.Context, id uuid.UUID) (MessageView, error) {
	for {
		s.mu.Lock()
		mv, ok := s.messages[id]
		if !ok {
			mv, ok = s.recent[id]
		}
		if !ok {
			s.mu.Unlock()
			return MessageView{}, fmt.Errorf("%w: message %s in namespace %q", ErrNotFound, id, s.ns)
		}
		if mv.State != StatePending {
			out := copyView(mv)
			s.mu.Unlock()
			return out, nil
		}
		w := make(chan struct{})
		s.waiters[id] = append(s.waiters[id], w)
		s.mu.Unlock()
		select {
		case <-w:
		case <-ctx.Done():
			s.dropWaiter(id, w)
			return MessageView{}, ctx.Err()
		}
	}
}

func (s *Service) dropWaiter(id uuid.UUID, w chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ws := slices.DeleteFunc(s.waiters[id], func(c chan struct{}) bool { return c == w })
	if len(ws) == 0 {
		delete(s.waiters, id)
	} else {
		s.waiters[id] = ws
	}
}

// Operations lists the namespace's operations, newest first.
func (s *Service) Operations(_ context.Context, skip, limit int) ([]Operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Operation, 0, min(limit, len(s.opOrder)))
	for i := len(s.opOrder) - 1 - skip; i >= 0 && len(out) < limit; i-- {
		out = append(out, *s.ops[s.opOrder[i]])
	}
	return out, nil
}

// Operation returns one operation.
func (s *Service) Operation(_ context.Context, id uuid.UUID) (Operation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[id]
	if !ok {
		return Operation{}, fmt.Errorf("%w: operation %s in namespace %q", ErrNotFound, id, s.ns)
	}
	return *op, nil
}

// Digests returns the namespace digests with the number of confirmed
// messages each covers.
func (s *Service) Digests(_ context.Context, withContexts bool) (Digests, error) {
	out := Digests{Groups: map[string]NamespaceDigest{}}
	if s.deps.Aggregation == nil {
		d, err := protocol.NamespaceDigest(nil)
		if err != nil {
			return Digests{}, err
		}
		out.Broadcast.Digest = d
		return out, nil
	}
	if !s.led.Load() {
		// The aggregator runs with the namespace's other singleton work:
		// here it has not run, and its digests would read as empty.
		return Digests{}, fmt.Errorf("%w: this instance does not run namespace %s's aggregator (it is starting, or another instance of the member leads the namespace; GET /status shows which)",
			ErrNotReady, s.ns)
	}
	digests, err := s.deps.Aggregation.Digests()
	if err != nil {
		return Digests{}, err
	}
	out.Broadcast.Digest = digests.Broadcast
	for g, d := range digests.Groups {
		out.Groups[g.String()] = NamespaceDigest{Digest: d}
	}
	for _, c := range s.deps.Aggregation.Contexts() {
		if withContexts {
			out.Contexts = append(out.Contexts, ContextDigest{Context: c.Context, Group: c.Group, Topic: c.Topic,
				Count: c.Digest.Count(), Digest: c.Digest.Digest()})
		}
		if c.Group == nil {
			out.Broadcast.Count += c.Digest.Count()
			continue
		}
		nd := out.Groups[c.Group.String()]
		nd.Count += c.Digest.Count()
		out.Groups[c.Group.String()] = nd
	}
	slices.SortFunc(out.Contexts, func(a, b ContextDigest) int { return bytes.Compare(a.Context[:], b.Context[:]) })
	return out, nil
}

// status is the namespace's part of the node status.
func (s *Service) status() NamespaceStatus {
	st := NamespaceStatus{Name: s.ns, Registered: s.Registered(), Members: s.reg.Orgs()}
	s.mu.Lock()
	st.ChainCheckpoint = s.checkpoint
	s.mu.Unlock()
	if s.deps.Aggregation != nil {
		st.Aggregated = uint64(s.deps.Aggregation.Applied())
		st.ParkedPins = len(s.deps.Aggregation.Parked(true))
	}
	return st
}
