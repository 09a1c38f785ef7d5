package messaging

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// seal builds a batch of msgs, takes its pins (private nonces included),
// and records BatchSealed with this node's own BatchReceived in one append,
// so the aggregator has the batch's content the moment its pin is seen.
// The batch is registered, and its nonces taken, before the append, so the
// event feed never counts them twice; a failed append gives them back.
func (s *Service) seal(ctx context.Context, group *protocol.Group, msgs []protocol.Message) (*ownBatch, error) {
	data, err := s.batchData(msgs)
	if err != nil {
		return nil, err
	}
	manifest, err := protocol.BuildManifest(uuid.New(), uuid.New(), msgs, data)
	if err != nil {
		return nil, fmt.Errorf("building the manifest: %w", err)
	}
	id := manifest.ID()
	s.mu.Lock()
	taken := map[protocol.Hash]uint64{}
	pins, err := protocol.BatchPins(manifest, protocol.NonceSourceFunc(func(c protocol.Hash, _ protocol.OrgDID) (uint64, error) {
		n := s.nonces[c] + taken[c]
		taken[c]++
		return n, nil
	}))
	if err != nil {
		s.mu.Unlock()
		return nil, fmt.Errorf("computing the pins of batch %s: %w", id, err)
	}
	sealed := catalogue.BatchSealed{Manifest: manifest, Contexts: make([]protocol.Hash, len(pins)), Pins: protocol.PinHashes(pins)}
	for i, p := range pins {
		sealed.Contexts[i] = p.Context
	}
	b := newOwnBatch(sealed)
	for c, n := range taken {
		s.nonces[c] += n
	}
	s.batches[id] = b
	s.sealOrder = append(s.sealOrder, id)
	s.mu.Unlock()

	received, err := ownReceived(s.ns, s.self.Node, manifest, msgs, data)
	if err == nil {
		err = s.append(ctx, catalogue.BatchStream(id), nil, id.String(), sealed, received)
	}
	if err != nil {
		s.mu.Lock()
		for c, n := range taken {
			s.nonces[c] -= n
		}
		delete(s.batches, id)
		s.sealOrder = s.sealOrder[:len(s.sealOrder)-1]
		s.mu.Unlock()
		return nil, err
	}
	s.mu.Lock()
	s.linkMessages(id, manifest)
	s.mu.Unlock()
	return b, nil
}

// batchData collects the data items msgs refer to, each once.
func (s *Service) batchData(msgs []protocol.Message) ([]protocol.Data, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[uuid.UUID]bool{}
	var out []protocol.Data
	for _, m := range msgs {
		for _, r := range m.Data() {
			if seen[r.ID] {
				continue
			}
			d, ok := s.inline[r.ID]
			if !ok {
				d, ok = s.data[r.ID]
			}
			if !ok {
				return nil, fmt.Errorf("message %s refers to data %s this node does not have", m.ID(), r.ID)
			}
			seen[r.ID] = true
			out = append(out, d)
		}
	}
	return out, nil
}

// ownReceived is the batch as this node's aggregator takes it: the same
// BatchReceived a peer records when the batch reaches it.
func ownReceived(ns string, self protocol.NodeDID, m protocol.Manifest, msgs []protocol.Message, data []protocol.Data) (catalogue.BatchReceived, error) {
	env, err := envelope(ns, m, msgs, data, nil)
	if err != nil {
		return catalogue.BatchReceived{}, err
	}
	return catalogue.BatchReceived{Namespace: ns, BatchID: m.ID(), From: &self, Manifest: env.Manifest,
		Messages: env.Messages, Data: env.Data}, nil
}

// envelope is a batch as it travels. Each part is what json.Marshal writes
// of it; all are written into one buffer, and each part is a slice of it
// capped at its end, instead of one allocation per message and data item.
func envelope(ns string, m protocol.Manifest, msgs []protocol.Message, data []protocol.Data, group *protocol.Group) (Envelope, error) {
	env := Envelope{Namespace: ns, Messages: make([]json.RawMessage, len(msgs)), Data: make([]json.RawMessage, len(data))}
	// ends[i] is where part i ends: the manifest, the messages, the data,
	// then the group.
	ends := make([]int, 0, 2+len(msgs)+len(data))
	buf := make([]byte, 0, 1024*(1+len(msgs)+len(data)))
	var err error
	if buf, err = appendPart(buf, m); err != nil {
		return Envelope{}, err
	}
	ends = append(ends, len(buf))
	for _, msg := range msgs {
		if buf, err = appendPart(buf, msg); err != nil {
			return Envelope{}, err
		}
		ends = append(ends, len(buf))
	}
	for _, d := range data {
		if buf, err = appendPart(buf, d); err != nil {
			return Envelope{}, err
		}
		ends = append(ends, len(buf))
	}
	if group != nil {
		if buf, err = appendPart(buf, *group); err != nil {
			return Envelope{}, err
		}
		ends = append(ends, len(buf))
	}
	start := 0
	part := func() json.RawMessage {
		end := ends[0]
		p := buf[start:end:end]
		start, ends = end, ends[1:]
		return p
	}
	env.Manifest = part()
	for i := range env.Messages {
		env.Messages[i] = part()
	}
	for i := range env.Data {
		env.Data[i] = part()
	}
	if group != nil {
		env.Group = part()
	}
	return env, nil
}
