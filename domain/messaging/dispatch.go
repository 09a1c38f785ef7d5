package messaging

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// pinLoop pins sealed batches one at a time, in seal order.
func (p *pipeline) pinLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case b := <-p.pinWork:
			p.pinBatch(ctx, b)
		}
	}
}

// pinBatch uploads a broadcast batch to shared storage, starts the
// deliveries to the recipients, and pins the batch. The batch's group is
// freed for the next seal once the pin is submitted (or has failed).
func (p *pipeline) pinBatch(ctx context.Context, b *ownBatch) {
	s := p.s
	id := b.id
	env, err := p.envelopeOf(ctx, b)
	if err != nil {
		s.log.Error("cannot dispatch batch", "batch", id, "error", err)
		return
	}
	group, private := b.key, b.private
	if !private {
		ref, err := p.runOp(ctx, id, OpUpload, "sharedstorage", func(ctx context.Context) (string, error) {
			payload, err := appendPart(nil, env)
			if err != nil {
				return "", fmt.Errorf("%w: %w", ErrInvalidInput, err)
			}
			return s.deps.Storage.Put(ctx, payload)
		})
		if err != nil {
			return
		}
		env.PayloadRef = ref
		if err := p.recordDispatched(ctx, b, ref); err != nil {
			return
		}
	}
	var groupHash *protocol.Hash
	if private {
		groupHash = &group
	}
	for _, peer := range s.recipients(groupHash) {
		p.wg.Go(func() { p.deliver(ctx, id, env, peer) })
	}
	req := pinRequest(s.ns, b, env.PayloadRef)
	_, err = p.runOp(ctx, id, OpPinBatch, "chain", func(ctx context.Context) (string, error) {
		sub, err := s.deps.Pinner.PinOnce(ctx, req)
		return sub.TxHash, err
	})
	if err == nil {
		p.wg.Go(func() { p.watchPin(ctx, b, req, s.cfg.PinCheckInterval) })
	}
	select {
	case p.freed <- b.key:
	case <-ctx.Done():
	}
}

func pinRequest(ns string, b *ownBatch, payloadRef string) chain.PinRequest {
	return chain.PinRequest{Namespace: ns, TxID: b.txID, BatchID: b.id, BatchHash: b.hash,
		PayloadRef: payloadRef, Contexts: b.pins}
}

// watchPin makes sure a submitted pin reaches the chain: while its batch is
// not observed it asks, every PinCheckInterval, what became of the
// transaction; the pinner sends a lost one again and records a mined revert.
func (p *pipeline) watchPin(ctx context.Context, b *ownBatch, req chain.PinRequest, first time.Duration) {
	s := p.s
	for wait := first; sleepCtx(ctx, wait); wait = s.cfg.PinCheckInterval {
		s.mu.Lock()
		observed := b.observed
		s.mu.Unlock()
		if observed {
			return
		}
		st, sub, err := s.deps.Pinner.Check(ctx, req)
		switch {
		case errors.Is(err, chain.ErrReverted):
			p.pinOutcome(ctx, req.BatchID, OpFailed, "", err.Error())
			return
		case err != nil:
			s.log.Info("checking a pin's transaction failed; will check again", "batch", req.BatchID, "error", err)
		case st.State == chain.TxUnknown:
			s.log.Warn("the chain lost a pin's transaction; sent it again", "batch", req.BatchID, "tx", sub.TxHash)
			p.pinOutcome(ctx, req.BatchID, OpSucceeded, sub.TxHash, "")
		}
	}
}

// pinOutcome records what the watcher learned on the pin operation.
func (p *pipeline) pinOutcome(ctx context.Context, batch uuid.UUID, status OperationStatus, output, errText string) {
	s := p.s
	s.mu.Lock()
	op, ok := s.ops[opID(batch, OpPinBatch, "chain")]
	var cp Operation
	if ok {
		cp = *op
	}
	s.mu.Unlock()
	if !ok {
		return
	}
	cp.Attempts++
	cp.Status, cp.Error, cp.Updated = status, errText, s.now()
	if output != "" {
		cp.Output = output
	}
	_ = p.recordOp(ctx, cp)
}

func (p *pipeline) recordDispatched(ctx context.Context, b *ownBatch, ref string) error {
	s := p.s
	s.mu.Lock()
	done := b.payloadRef == ref
	s.mu.Unlock()
	if done {
		return nil
	}
	id := b.id
	if err := s.append(ctx, catalogue.BatchStream(id), nil, id.String(), catalogue.BatchDispatched{Namespace: s.ns,
		BatchID: id, BatchHash: b.hash, PayloadRef: ref}); err != nil {
		s.log.Error("recording the dispatch of a batch failed", "batch", id, "error", err)
		return err
	}
	s.mu.Lock()
	b.payloadRef = ref
	s.mu.Unlock()
	return nil
}

// deliver sends a batch, blobs first, to one peer, as an operation.
func (p *pipeline) deliver(ctx context.Context, batch uuid.UUID, env Envelope, peer Peer) {
	s := p.s
	blobs := blobsOf(env)
	_, _ = p.runOp(ctx, batch, OpSendBatch, peer.Node.String(), func(ctx context.Context) (string, error) {
		for _, b := range blobs {
			open := func() (io.ReadCloser, error) { return s.deps.Blobs.Open(b.Hash()) }
			if err := s.deps.Transport.SendBlob(ctx, peer, s.ns, b.Hash(), b.Size(), open); err != nil {
				return "", fmt.Errorf("sending blob %s: %w", b.Hash(), err)
			}
		}
		return "", s.deps.Transport.SendBatch(ctx, peer, env)
	})
}

// blobsOf lists the blobs an envelope's data refer to.
func blobsOf(env Envelope) []protocol.BlobRef {
	var out []protocol.BlobRef
	for _, raw := range env.Data {
		d, err := protocol.UnmarshalData(raw)
		if err != nil {
			continue
		}
		if b, ok := d.Blob(); ok {
			out = append(out, b)
		}
	}
	return out
}

// envelopeOf reads the batch back as this node recorded it (its own
// BatchReceived), with the group for a private batch and the payload
// reference once uploaded.
func (p *pipeline) envelopeOf(ctx context.Context, b *ownBatch) (Envelope, error) {
	s := p.s
	id := b.id
	evs, err := s.deps.Store.ReadStream(ctx, catalogue.BatchStream(id), 0, 0)
	if err != nil {
		return Envelope{}, err
	}
	for _, ev := range evs {
		if ev.Type != "BatchReceived" {
			continue
		}
		payload, err := s.deps.Catalogue.Decode(ev)
		if err != nil {
			return Envelope{}, err
		}
		r := payload.(catalogue.BatchReceived)
		if r.From == nil || *r.From != s.self.Node {
			continue
		}
		env := Envelope{Namespace: s.ns, Manifest: r.Manifest, Messages: r.Messages, Data: r.Data}
		s.mu.Lock()
		env.PayloadRef = b.payloadRef
		group, private := s.groups[b.key], b.private
		s.mu.Unlock()
		if private {
			if env.Group, err = appendPart(nil, group); err != nil {
				return Envelope{}, err
			}
		}
		return env, nil
	}
	return Envelope{}, fmt.Errorf("batch %s has no content recorded by this node", id)
}

// restart runs a failed operation again.
func (p *pipeline) restart(op Operation) error {
	s := p.s
	p.mu.Lock()
	ctx := p.ctx
	p.mu.Unlock()
	s.mu.Lock()
	b := s.batches[op.BatchID]
	s.mu.Unlock()
	if b == nil {
		return fmt.Errorf("%w: batch %s of operation %s is not this node's", ErrConflict, op.BatchID, op.ID)
	}
	switch op.Type {
	case OpSendBatch:
		node, err := protocol.ParseNodeDID(op.Target)
		if err != nil {
			return fmt.Errorf("%w: operation %s targets %q", ErrConflict, op.ID, op.Target)
		}
		peer, ok := s.reg.Node(node)
		if !ok {
			return fmt.Errorf("%w: %s is no longer registered", ErrConflict, node)
		}
		env, err := p.envelopeOf(ctx, b)
		if err != nil {
			return err
		}
		p.wg.Go(func() { p.deliver(ctx, op.BatchID, env, peer) })
	default:
		select {
		case p.pinWork <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// unfinished is what a new leader of the namespace resumes.
type unfinished struct {
	unpinned, pinned []*ownBatch
	unsealed         []pending
	missing          map[uuid.UUID]string
}

// takeOver makes the view hand own messages to the pipeline from now on
// (leading), and returns what is unfinished: batches sealed and not
// pinned, deliveries not finished, broadcast payloads not fetched, and
// messages recorded and not sealed (by this process before a restart, or
// by another instance of the member).
func (p *pipeline) takeOver() unfinished {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.leading = true
	var w unfinished
	for _, id := range s.sealOrder {
		if b := s.batches[id]; b.pinned {
			w.pinned = append(w.pinned, b)
		} else {
			w.unpinned = append(w.unpinned, b)
		}
	}
	for _, id := range s.unsealed {
		mv := s.messages[id]
		if mv == nil || mv.Batch != nil {
			continue
		}
		msg, err := protocol.NewMessage(mv.Header, mv.Data)
		if err != nil {
			continue
		}
		pd := pending{msg: msg}
		if g, ok := mv.Header.Group(); ok {
			group := s.groups[g]
			pd.group = &group
		}
		w.unsealed = append(w.unsealed, pd)
	}
	s.unsealed = nil
	w.missing = make(map[uuid.UUID]string, len(s.missing))
	maps.Copy(w.missing, s.missing)
	return w
}

// recover resumes w: sealed batches go to the pin worker first, then
// startSealer runs (it seals w.unsealed before anything new), then
// deliveries, pin watches and fetches resume.
func (p *pipeline) recover(ctx context.Context, w unfinished, startSealer func()) {
	s := p.s
	for _, b := range w.unpinned {
		select {
		case p.pinWork <- b:
		case <-ctx.Done():
			return
		}
	}
	startSealer()
	for batch, ref := range w.missing {
		p.fetchLater(batch, ref)
	}
	for _, b := range w.pinned {
		p.resumeDeliveries(ctx, b)
		s.mu.Lock()
		watch, ref := !b.observed && !b.failed, b.payloadRef
		s.mu.Unlock()
		if watch {
			req := pinRequest(s.ns, b, ref)
			p.wg.Go(func() { p.watchPin(ctx, b, req, 0) })
		}
	}
}

// resumeDeliveries restarts the deliveries of a pinned batch that had not
// succeeded (or failed for good) when the node stopped.
func (p *pipeline) resumeDeliveries(ctx context.Context, b *ownBatch) {
	s := p.s
	id := b.id
	var group *protocol.Hash
	if b.key != (protocol.Hash{}) {
		group = &b.key
	}
	var todo []Peer
	peers := s.recipients(group)
	s.mu.Lock()
	for _, peer := range peers {
		op, ok := s.ops[opID(id, OpSendBatch, peer.Node.String())]
		if !ok || op.Status == OpPending || op.Status == OpRetrying {
			todo = append(todo, peer)
		}
	}
	s.mu.Unlock()
	if len(todo) == 0 {
		return
	}
	env, err := p.envelopeOf(ctx, b)
	if err != nil {
		s.log.Error("cannot resume the deliveries of a batch", "batch", id, "error", err)
		return
	}
	for _, peer := range todo {
		p.wg.Go(func() { p.deliver(ctx, id, env, peer) })
	}
}
