package aggregator

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// received is one BatchReceived, parsed once. A batch may arrive more than
// once (a retry, shared storage and a peer push, a tampered copy); each copy
// is kept and a log binds the one that matches its pinned hash if there is
// one.
type received struct {
	// batchID is all that is kept of the raw event: the parsed values are
	// what the aggregator needs, and holding both would double the memory.
	batchID  uuid.UUID
	manifest protocol.Manifest
	// err is why the batch cannot be used as the manifest says (it still
	// rejects the messages it names): nil when manifest and messages parse.
	err      error
	messages []protocol.Message
	// data holds the items that came inside the batch and parsed.
	data map[uuid.UUID]protocol.Data
	// list holds the items in the batch, in batch order, for VerifyBatch to flag
	// those no message refers to.
	list []protocol.Data
	// selfContained is set when the batch carries every item its manifest
	// lists; contentErr is then VerifyBatchContent's answer, computed once
	// at receipt instead of each time a log pins the batch.
	selfContained bool
	contentErr    error
	// ids are the message ids the batch names, read leniently so a batch
	// that does not parse still rejects them.
	ids []msgRef
}

func parseReceived(b catalogue.BatchReceived) *received {
	r := &received{batchID: b.BatchID, data: map[uuid.UUID]protocol.Data{}}
	m, err := protocol.UnmarshalManifest(b.Manifest)
	if err != nil {
		r.err = err
		r.ids = lenientIDs(b.Manifest)
		return r
	}
	r.manifest = m
	for _, e := range m.Messages() {
		r.ids = append(r.ids, msgRef{id: e.ID, hash: e.Hash})
	}
	if m.ID() != b.BatchID {
		r.err = &protocol.VerifyError{Reason: protocol.ReasonManifestMismatch, Item: "batch", ID: b.BatchID,
			Detail: "manifest id " + m.ID().String()}
		return r
	}
	for _, raw := range b.Messages {
		msg, err := protocol.UnmarshalMessage(raw)
		if err != nil {
			r.err = err
			return r
		}
		r.messages = append(r.messages, msg)
	}
	for _, raw := range b.Data {
		d, err := protocol.UnmarshalData(raw)
		if err != nil {
			r.err = err
			return r
		}
		r.data[d.ID()] = d
		r.list = append(r.list, d)
	}
	if data, ok := orderedData(m, r.list, func(ref protocol.DataRef) (protocol.Data, bool) {
		d, ok := r.data[ref.ID]
		return d, ok
	}); ok {
		r.selfContained = true
		r.contentErr = protocol.VerifyBatchContent(m, r.messages, data)
	}
	return r
}

// orderedData lists a manifest's data items in manifest order, found by
// find, followed by the batch's items the manifest does not list (which
// verification rejects). It returns false if a listed item is not found.
func orderedData(m protocol.Manifest, inBatch []protocol.Data, find func(protocol.DataRef) (protocol.Data, bool)) ([]protocol.Data, bool) {
	refs := m.Data()
	out := make([]protocol.Data, 0, len(refs))
	same := len(inBatch) == len(refs)
	for i, ref := range refs {
		d, ok := find(ref)
		if !ok {
			return nil, false
		}
		out = append(out, d)
		same = same && inBatch[i].ID() == ref.ID
	}
	if same {
		// The usual case: the batch carries the listed items in order.
		return out, true
	}
	listed := make(map[uuid.UUID]bool, len(refs))
	for _, ref := range refs {
		listed[ref.ID] = true
	}
	for _, d := range inBatch {
		if !listed[d.ID()] {
			out = append(out, d)
		}
	}
	return out, true
}

// lenientIDs reads the message ids of a manifest that failed strict parsing.
func lenientIDs(raw json.RawMessage) []msgRef {
	var m struct {
		Messages []struct {
			ID string `json:"id"`
		} `json:"messages"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	var out []msgRef
	for _, e := range m.Messages {
		if id, err := uuid.Parse(e.ID); err == nil && id != uuid.Nil {
			out = append(out, msgRef{id: id})
		}
	}
	return out
}

// matches reports whether r is the batch a log pinned.
func (r *received) matches(l *pinLog) bool {
	return r.err == nil && r.manifest.Hash() == l.obs.BatchHash
}
