package simulation

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// refBatch is a batch held, with its content parsed once.
type refBatch struct {
	recv     catalogue.BatchReceived
	manifest protocol.Manifest
	// complete: every data item the manifest lists is here (inside the batch
	// or on its own), with its blob, and so is a private batch's group.
	complete bool
	// invalid is the first part that failed to parse (messages, then data).
	invalid  error
	messages []protocol.Message
	data     map[uuid.UUID]protocol.Data
	dataList []protocol.Data
}

// dataRaws returns the raw data items to verify a batch with: those inside
// it, then those the manifest lists that came on their own.
func (r *reference) dataRaws(b *refBatch) (raws []json.RawMessage, complete bool) {
	inside := map[uuid.UUID]bool{}
	for _, raw := range b.recv.Data {
		if id, ok := looseID(raw); ok {
			inside[id] = true
		}
		raws = append(raws, raw)
	}
	for _, ref := range b.manifest.Data() {
		if inside[ref.ID] {
			continue
		}
		raw, ok := r.loose[ref.ID]
		if !ok {
			return nil, false
		}
		raws = append(raws, raw)
	}
	return raws, true
}

// load parses a batch's content and decides whether it is complete. A part
// that does not parse needs nothing more: the batch will be rejected.
func (r *reference) load(b *refBatch) {
	raws, ok := r.dataRaws(b)
	if !ok {
		return
	}
	for _, raw := range b.recv.Messages {
		m, err := protocol.UnmarshalMessage(raw)
		if err != nil && b.invalid == nil {
			b.invalid = err
		}
		b.messages = append(b.messages, m)
	}
	b.complete = true
	b.data = map[uuid.UUID]protocol.Data{}
	for _, raw := range raws {
		d, err := protocol.UnmarshalData(raw)
		if err != nil {
			if b.invalid == nil {
				b.invalid = err
			}
			continue
		}
		b.dataList = append(b.dataList, d)
		b.data[d.ID()] = d
		if blob, has := d.Blob(); has && !r.blobs[blob.Hash()] {
			b.complete = false
		}
	}
	if g, private := b.manifest.Group(); private {
		if _, known := r.groups[g]; !known {
			b.complete = false
		}
	}
}

// verify runs the batch-wide content checks against the log that pinned
// the batch.
func (r *reference) verify(l *refLog) catalogue.RejectReason {
	b := l.batch
	if b.invalid != nil {
		return catalogue.RejectReason(protocol.RejectionReason(b.invalid))
	}
	if err := protocol.VerifyBatch(l.obs.BatchHash, b.manifest, b.messages, b.dataList); err != nil {
		return catalogue.RejectReason(protocol.RejectionReason(err))
	}
	pairs := 0
	for _, e := range b.manifest.Messages() {
		pairs += len(e.Topics)
	}
	_, private := b.manifest.Group()
	if pairs != len(l.pins) || private == (l.obs.PayloadRef != "") {
		return catalogue.RejectManifestMismatch
	}
	return ""
}
