package audit

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// event checks an event line: its shape, its place, and every hash it
// carries.
func (v *verifier) event(raw []byte, hash string) *Failure {
	var l eventLine
	if err := strictUnmarshal(raw, &l); err != nil {
		return fail(ClassFormat, v.line, "not an event line: %v", err)
	}
	if v.events > 0 && l.Position <= v.last {
		return fail(ClassFormat, v.line, "position %d after %d", l.Position, v.last)
	}
	ev := l.event()
	p, err := v.opts.Catalogue.Decode(ev)
	if err != nil {
		return fail(ClassContent, v.line, "%v", err)
	}
	if f := v.content(p); f != nil {
		return f
	}
	if v.pins == nil {
		v.pins = &pinSet{}
	}
	if err := v.pins.add(v.opts.Catalogue, ev); err != nil {
		return fail(ClassContent, v.line, "%v", err)
	}
	if v.events == 0 {
		v.first = l.Position
	}
	v.events++
	v.last = l.Position
	v.lastHash = hash
	return nil
}

// content recomputes the hashes of one decoded event. Decoding already
// re-hashed what it parsed (protocol's unmarshalers check data, message
// and manifest hashes); a received batch is checked against its manifest
// here, and each confirmation against the context's running digest.
func (v *verifier) content(p catalogue.Payload) *Failure {
	switch e := p.(type) {
	case catalogue.DataStored:
		v.report.Data++
	case catalogue.MessageSubmitted:
		v.report.Messages++
		v.report.Data += len(e.Data)
	case catalogue.BatchSealed:
		v.report.Batches++
		v.batchOK(e.Manifest.ID(), e.Manifest.Messages())
	case catalogue.BatchReceived:
		// A member records what a peer sent, a batch that does not hold
		// what its manifest says included (the aggregator rejects it): that
		// is not a fault of the export, confirming from it would be.
		m, err := verifyReceived(e)
		if err != nil {
			v.report.BadBatches++
			if v.badBatches == nil {
				v.badBatches = map[uuid.UUID]string{}
			}
			v.badBatches[e.BatchID] = err.Error()
			break
		}
		v.batchOK(e.BatchID, m.Messages())
		v.report.Batches++
		v.report.Messages += len(e.Messages)
		v.report.Data += len(e.Data)
	case catalogue.MessageConfirmed:
		if f := v.confirmedFrom(e); f != nil {
			return f
		}
		for _, c := range e.Contexts {
			d, known := v.digests[c.Context]
			if !known && c.Count != 1 {
				// The export starts after this context's first
				// confirmation: what it recorded is the baseline.
				restored, err := protocol.RestoreContextDigest(c.Digest, c.Count)
				if err != nil {
					return fail(ClassContent, v.line, "context %s: %v", c.Context, err)
				}
				v.digests[c.Context] = restored
				continue
			}
			d.Add(e.MessageHash)
			if d.Count() != c.Count || d.Digest() != c.Digest {
				return fail(ClassContent, v.line, "message %s on context %s: recorded count %d digest %s, recomputed %d %s",
					e.MessageID, c.Context, c.Count, c.Digest, d.Count(), d.Digest())
			}
			v.digests[c.Context] = d
		}
		v.report.Confirmations++
	case catalogue.DecisionRevoked:
		// A revocation rewinds contexts to an earlier digest: the next
		// confirmation of each is the baseline again.
		clear(v.digests)
	}
	return nil
}

// batchOK records a batch whose content holds, with its messages' hashes.
func (v *verifier) batchOK(id uuid.UUID, msgs []protocol.ManifestMessage) {
	if v.goodBatches == nil {
		v.goodBatches, v.messageHash = map[uuid.UUID]bool{}, map[uuid.UUID]protocol.Hash{}
	}
	v.goodBatches[id] = true
	for _, m := range msgs {
		v.messageHash[m.ID] = m.Hash
	}
}

// confirmedFrom checks a confirmation against the batches the export
// holds: never from a batch whose content did not hold, and with the hash
// the batch gave the message.
func (v *verifier) confirmedFrom(e catalogue.MessageConfirmed) *Failure {
	if reason, bad := v.badBatches[e.BatchID]; bad && !v.goodBatches[e.BatchID] {
		return fail(ClassContent, v.line, "message %s confirmed from batch %s, whose content does not hold: %s", e.MessageID, e.BatchID, reason)
	}
	if h, ok := v.messageHash[e.MessageID]; ok && v.goodBatches[e.BatchID] && h != e.MessageHash {
		return fail(ClassContent, v.line, "message %s confirmed with hash %s, its batch says %s", e.MessageID, e.MessageHash, h)
	}
	return nil
}

// verifyReceived parses a received batch: its manifest, messages and data
// must each agree with the hashes they carry.
func verifyReceived(e catalogue.BatchReceived) (protocol.Manifest, error) {
	m, err := protocol.UnmarshalManifest(e.Manifest)
	if err != nil {
		return protocol.Manifest{}, err
	}
	if m.ID() != e.BatchID {
		return protocol.Manifest{}, fmt.Errorf("the manifest is batch %s's", m.ID())
	}
	for i, raw := range e.Messages {
		if _, err = protocol.UnmarshalMessage(raw); err != nil {
			return protocol.Manifest{}, fmt.Errorf("message %d: %w", i, err)
		}
	}
	for i, raw := range e.Data {
		if _, err = protocol.UnmarshalData(raw); err != nil {
			return protocol.Manifest{}, fmt.Errorf("data %d: %w", i, err)
		}
	}
	// Whether the batch is whole (every data item its messages refer to)
	// depends on what the member held already: the aggregator judges that.
	// Each part carrying its own hash is what is checked here.
	return m, nil
}

// manifest checks the manifest line against what the events said.
func (v *verifier) manifest(raw json.RawMessage) *Failure {
	var m Manifest
	if err := strictUnmarshal(raw, &m); err != nil {
		return fail(ClassFormat, v.line, "not a manifest: %v", err)
	}
	v.report.Manifest = m
	finalHash := zeroHash
	if v.events > 0 {
		finalHash = v.lastHash
	}
	var pins []Evidence
	if v.pins != nil {
		pins = v.pins.list()
	} else {
		pins = []Evidence{}
	}
	req := Request{Org: m.Org, Node: m.Node, Namespace: m.Namespace, From: m.From, To: m.To}
	switch {
	case m.Format != Format:
		return fail(ClassManifest, v.line, "format %q, this verifier reads %q", m.Format, Format)
	case req.Validate() != nil:
		return fail(ClassManifest, v.line, "%v", req.Validate())
	case m.Events != v.events:
		return fail(ClassManifest, v.line, "says %d events, the file holds %d", m.Events, v.events)
	case v.events > 0 && (m.First != v.first || m.Last != v.last):
		return fail(ClassManifest, v.line, "says positions %d-%d, the events are %d-%d", m.First, m.Last, v.first, v.last)
	case v.events > 0 && (v.first < m.From || m.To != 0 && v.last > m.To):
		return fail(ClassManifest, v.line, "events %d-%d are outside the range asked for (%d-%d)", v.first, v.last, m.From, m.To)
	case m.FinalHash != finalHash:
		return fail(ClassManifest, v.line, "final hash %.16s…, the last event line hashes to %.16s…", m.FinalHash, finalHash)
	case !reflect.DeepEqual(m.Pins, pins):
		return fail(ClassManifest, v.line, "its %d pins are not the %d the events observed", len(m.Pins), len(pins))
	}
	return v.signature(m)
}

func (v *verifier) signature(m Manifest) *Failure {
	if m.Signature == "" && m.Signer == "" {
		if v.opts.RequireSignature {
			return fail(ClassSignature, v.line, "the manifest is not signed")
		}
		return nil
	}
	sig, err := hex.DecodeString(m.Signature)
	if err != nil || m.Signer == "" || len(sig) == 0 {
		return fail(ClassSignature, v.line, "malformed signer or signature")
	}
	if v.opts.Signatures == nil {
		return fail(ClassSignature, v.line, "signed by %s, and no way to check the signature was given", m.Signer)
	}
	digest, err := m.Digest()
	if err != nil {
		return fail(ClassSignature, v.line, "%v", err)
	}
	if err := v.opts.Signatures.CheckSignature(m.Signer, digest, sig); err != nil {
		return fail(ClassSignature, v.line, "%v", err)
	}
	v.report.Signed = true
	return nil
}
