package messaging

import (
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// apply folds one of the namespace's events into the view. Node calls it
// for every event in position order, on one goroutine; live is false while
// the log is replayed at start-up (no outbound action starts then).
func (s *Service) apply(ev event.Event, p catalogue.Payload, live bool) {
	switch v := p.(type) {
	case catalogue.IdentityRegistered:
		s.reg.applyIdentity(v)
	case catalogue.DatatypeDefined:
		s.reg.applyDatatype(v)
	case catalogue.DataStored:
		s.mu.Lock()
		s.data[v.Data.ID()] = v.Data
		s.mu.Unlock()
	case catalogue.MessageSubmitted:
		// Another instance of this member recorded it (this one's own
		// sends are applied by Send and skipped here).
		if group, seal := s.applySubmitted(v, live, ev.Position, false); seal {
			s.pipeline.add(v.Message, group)
		}
	case catalogue.GroupKnown:
		s.mu.Lock()
		s.groups[v.Group.Hash()] = v.Group
		s.mu.Unlock()
	case catalogue.BatchSealed:
		s.applySealed(v)
	case catalogue.BatchDispatched:
		s.mu.Lock()
		if b := s.batches[v.BatchID]; b != nil && v.PayloadRef != "" {
			b.payloadRef = v.PayloadRef
		}
		s.mu.Unlock()
	case catalogue.BatchReceived:
		s.applyReceived(v)
	case catalogue.PinSubmitted:
		s.markPinned(v.BatchID, false)
	case catalogue.PinFailed:
		s.markPinned(v.BatchID, true)
	case catalogue.PinObserved:
		s.applyObserved(v, live)
	case catalogue.ChainCheckpoint:
		s.mu.Lock()
		s.checkpoint = max(s.checkpoint, v.BlockNumber)
		s.mu.Unlock()
	case catalogue.MessageConfirmed:
		s.decide(v.MessageID, StateConfirmed, "", ev.Recorded, v.Location)
	case catalogue.MessageRejected:
		reason := string(v.Reason)
		if v.Detail != "" {
			reason += ": " + v.Detail
		}
		s.decide(v.MessageID, StateRejected, reason, ev.Recorded, v.Location)
	case catalogue.DecisionRevoked:
		s.decide(v.MessageID, StatePending, "", time.Time{}, v.Location)
	case catalogue.OperationRecorded:
		s.applyOperation(v)
	}
}

// applySubmitted folds a recorded message into the view, recorded at pos;
// fromSend says Send applies it right after its Append, rather than the
// node view reading it from the log.
//
// It returns whether the message is this node's and goes to the sealer now
// (live, while this instance leads the namespace), with its group; other
// own messages wait in unsealed for whichever run leads next.
func (s *Service) applySubmitted(v catalogue.MessageSubmitted, live bool, pos event.Position, fromSend bool) (*protocol.Group, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fromSend && s.viewSubmitted >= pos {
		// The view read this very event before Send's turn came (Send's
		// goroutine descheduled right after its Append, the view reading
		// the live tail) and handed the message on; it may be sealed,
		// pinned and decided by now, so applying it again would make it
		// pending and seal it a second time. The view itself cannot meet
		// a decided message here: decisions come after the submission in
		// the log, and it applies the log in order.
		return nil, false
	}
	if !fromSend && pos > s.viewSubmitted {
		s.viewSubmitted = pos
	}
	if mv, ok := s.messages[v.Message.ID()]; !ok || mv.Batch == nil {
		// Inline data is kept until its message is sealed (linkMessages
		// drops it); data stored on its own stays referable by id.
		for _, d := range v.Data {
			s.inline[d.ID()] = d
		}
	}
	for _, r := range v.Message.Data() {
		if _, stored := s.data[r.ID]; stored {
			s.used[r.ID] = true // its blob can no longer change
		}
	}
	_, known := s.messages[v.Message.ID()]
	if !known {
		s.messages[v.Message.ID()] = &MessageView{Header: v.Message.Header(), Hash: v.Message.Hash(),
			Data: v.Message.Data(), State: StatePending}
	}
	// Known: Send and the log both apply a send of this process, in either
	// order; the first one hands it on.
	if known || v.Message.Header().Author() != s.self.Org {
		return nil, false
	}
	if k, ok := definitionKeyOf(v); ok {
		s.pendingDef[k] = v.Message.ID()
	}
	if !live || !s.leading {
		s.unsealed = append(s.unsealed, v.Message.ID())
		return nil, false
	}
	if g, ok := v.Message.Header().Group(); ok {
		group := s.groups[g]
		return &group, true
	}
	return nil, true
}

// applySealed registers a batch sealed before this run; the sealer
// registers its own batches (and takes their nonces) before it appends them.
func (s *Service) applySealed(v catalogue.BatchSealed) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := v.Manifest.ID()
	if _, ok := s.batches[id]; ok {
		return
	}
	b := newOwnBatch(v)
	if b.private {
		for _, c := range v.Contexts {
			s.nonces[c]++
		}
	}
	s.batches[id] = b
	s.sealOrder = append(s.sealOrder, id)
	s.linkMessages(id, v.Manifest)
}

// linkMessages notes which batch carries each message and drops the inline
// data the batch now holds.
func (s *Service) linkMessages(batch uuid.UUID, m protocol.Manifest) {
	for _, e := range m.Messages() {
		if mv := s.messages[e.ID]; mv != nil {
			mv.Batch = &batch
		}
	}
	for _, r := range m.Data() {
		delete(s.inline, r.ID)
	}
}

// applyReceived notes that a batch is here (the read model indexes its
// messages; this view keeps only this node's own undecided ones).
func (s *Service) applyReceived(v catalogue.BatchReceived) { s.markReceived(v.BatchID) }

func (s *Service) markReceived(batch uuid.UUID) {
	s.mu.Lock()
	s.received[batch] = true
	delete(s.missing, batch)
	s.mu.Unlock()
}

// knows reports whether the view holds this own message (pending or
// recently decided).
func (s *Service) knows(id uuid.UUID) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, pending := s.messages[id]
	_, decided := s.recent[id]
	return pending || decided
}

func (s *Service) markPinned(batch uuid.UUID, failed bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b := s.batches[batch]; b != nil {
		b.pinned, b.failed = true, failed
	}
}

func (s *Service) applyObserved(v catalogue.PinObserved, live bool) {
	s.mu.Lock()
	if b := s.batches[v.BatchID]; b != nil {
		b.observed = true
	}
	missing := !s.received[v.BatchID] && v.PayloadRef != ""
	if missing {
		s.missing[v.BatchID] = v.PayloadRef
	}
	s.mu.Unlock()
	if missing && live {
		s.pipeline.fetchLater(v.BatchID, v.PayloadRef)
	}
}

// decide records a decision taken at loc (or the revocation of the one
// taken there) and wakes whoever waits. A message id can be pinned more
// than once; catalogue.Overrides and Revokes say which decision it shows.
func (s *Service) decide(id uuid.UUID, state MessageState, reason string, at time.Time, loc catalogue.ChainLocation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	mv := s.messages[id]
	if mv == nil {
		mv = s.recent[id] // a revocation, or a second decision
	}
	if mv == nil {
		return
	}
	if state == StatePending && !catalogue.Revokes(mv.decidedAt, loc) ||
		state != StatePending && !catalogue.Overrides(catalogue.Decision(mv.State), catalogue.Decision(state)) {
		return
	}
	mv.State, mv.Reason = state, reason
	mv.decidedAt = nil
	if state != StatePending {
		mv.decidedAt = &loc
	}
	if state == StatePending {
		mv.Confirmed = nil
	} else {
		t := at.UTC()
		mv.Confirmed = &t
	}
	for k, pending := range s.pendingDef {
		if pending == id {
			delete(s.pendingDef, k)
		}
	}
	for _, w := range s.waiters[id] {
		close(w)
	}
	delete(s.waiters, id)
	s.settle(id, mv)
	if state == StateRejected && mv.Header.Author() == s.self.Org && mv.Header.Type() == protocol.MessageTypeDefinition {
		s.pipeline.kickRegistration()
	}
}

func (s *Service) applyOperation(v catalogue.OperationRecorded) {
	s.mu.Lock()
	defer s.mu.Unlock()
	op, ok := s.ops[v.ID]
	if !ok {
		op = &Operation{}
		s.ops[v.ID] = op
		s.opOrder = append(s.opOrder, v.ID)
	}
	*op = Operation{ID: v.ID, Namespace: v.Namespace, Type: OperationType(v.Type), BatchID: v.BatchID, Target: v.Target,
		Status: OperationStatus(v.Status), Attempts: v.Attempts, Error: v.Error, Output: v.Output,
		Created: v.Created, Updated: v.Updated}
}

// maxRecent bounds the decided messages the view keeps, so a caller that
// asked for a decision a moment ago still finds it; older ones are the read
// model's to show.
const maxRecent = 10000

// settle keeps a decided message among the recent ones and an undecided
// (revoked) one among the pending.
func (s *Service) settle(id uuid.UUID, mv *MessageView) {
	if mv.State == StatePending {
		if _, ok := s.recent[id]; ok {
			// A revocation (a reorg), which is rare: the id leaves the
			// FIFO too, or its stale place there would evict the entry a
			// later decision makes before its time.
			delete(s.recent, id)
			s.recentFIFO = slices.DeleteFunc(s.recentFIFO, func(x uuid.UUID) bool { return x == id })
		}
		s.messages[id] = mv
		return
	}
	delete(s.messages, id)
	if _, ok := s.recent[id]; ok {
		return
	}
	s.recent[id] = mv
	s.recentFIFO = append(s.recentFIFO, id)
	if len(s.recentFIFO) > maxRecent {
		delete(s.recent, s.recentFIFO[0])
		s.recentFIFO = s.recentFIFO[1:]
	}
}
