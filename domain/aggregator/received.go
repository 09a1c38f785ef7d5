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
	raw      catalogue.BatchReceived
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
	// ids are the message ids the batch names, read leniently so a batch
	// that does not parse still rejects them.
	ids []msgRef
}

func parseReceived(b catalogue.BatchReceived) *received {
	r := &received{raw: b, data: map[uuid.UUID]protocol.Data{}}
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
	return r
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
