package protocol

import (
	"fmt"

	"github.com/google/uuid"
)

// batchHead is what every message of one batch shares.
type batchHead struct {
	namespace string
	author    OrgDID
	key       SigningKey
	group     *Hash
	txType    TxType
}

func headOf(h MessageHeader) batchHead {
	return batchHead{namespace: h.namespace, author: h.author, key: h.key, group: h.group, txType: h.txType}
}

// mismatchWith names the first field in which h differs from the batch, or "".
func (b batchHead) mismatchWith(h MessageHeader) string {
	switch {
	case h.namespace != b.namespace:
		return "namespace"
	case h.author != b.author:
		return "author"
	case h.key != b.key:
		return "key"
	case (h.group == nil) != (b.group == nil) || (h.group != nil && *h.group != *b.group):
		return "group"
	case h.txType != b.txType:
		return "txtype"
	}
	return ""
}

// BuildManifest builds the manifest of a batch from its messages, in batch
// order, and the data they refer to. All messages must share namespace,
// author, key, group and txtype. The manifest's data list holds each
// referenced item once, in order of first reference (message order, then each
// message's data order); data must be exactly those items, in any order.
func BuildManifest(batchID, txID uuid.UUID, messages []Message, data []Data) (Manifest, error) {
	if len(messages) == 0 {
		return Manifest{}, fieldErr(ErrInvalidManifest, "messages", "a batch needs at least one message")
	}
	head := headOf(messages[0].header)
	entries := make([]ManifestMessage, len(messages))
	for i, msg := range messages {
		if field := head.mismatchWith(msg.header); field != "" {
			return Manifest{}, fieldErr(ErrInvalidManifest, fmt.Sprintf("messages[%d]", i),
				"%s differs from the batch's first message", field)
		}
		entries[i] = ManifestMessage{ID: msg.ID(), Hash: msg.Hash(), Topics: msg.header.Topics()}
	}
	refs, err := uniqueRefs(messages)
	if err != nil {
		return Manifest{}, err
	}
	if err := matchData(refs, data); err != nil {
		return Manifest{}, err
	}
	return NewManifest(ManifestFields{ID: batchID, TxID: txID, Namespace: head.namespace, Author: head.author,
		Key: head.key, Group: head.group, Messages: entries, Data: refs})
}

// uniqueRefs lists the messages' data refs in order of first reference, each id
// once. Two messages that give one data id different hashes cannot both be
// right, which is a data-hash-mismatch.
func uniqueRefs(messages []Message) ([]DataRef, error) {
	var refs []DataRef
	index := map[uuid.UUID]int{}
	for _, msg := range messages {
		for _, r := range msg.data {
			i, seen := index[r.ID]
			if !seen {
				index[r.ID] = len(refs)
				refs = append(refs, r)
				continue
			}
			if refs[i].Hash != r.Hash {
				return nil, mismatch(ReasonDataHashMismatch, "data", r.ID, refs[i].Hash, r.Hash)
			}
		}
	}
	return refs, nil
}

// matchData checks that data holds exactly the items refs lists, each with the
// hash the refs claim.
func matchData(refs []DataRef, data []Data) error {
	byID, err := indexData(data)
	if err != nil {
		return err
	}
	for _, r := range refs {
		d, ok := byID[r.ID]
		if !ok {
			return manifestMismatch("data", r.ID, "referenced but not in the batch")
		}
		if d.hash != r.Hash {
			return mismatch(ReasonDataHashMismatch, "data", r.ID, r.Hash, d.hash)
		}
	}
	if len(byID) != len(refs) {
		for _, d := range data {
			if !containsRef(refs, d.id) {
				return manifestMismatch("data", d.id, "in the batch but referenced by no message")
			}
		}
	}
	return nil
}

func indexData(data []Data) (map[uuid.UUID]Data, error) {
	byID := make(map[uuid.UUID]Data, len(data))
	for _, d := range data {
		if d.id == uuid.Nil {
			return nil, fieldErr(ErrInvalidData, "id", "data item not built by NewData")
		}
		if _, dup := byID[d.id]; dup {
			return nil, manifestMismatch("data", d.id, "appears twice in the batch")
		}
		byID[d.id] = d
	}
	return byID, nil
}

func containsRef(refs []DataRef, id uuid.UUID) bool {
	for _, r := range refs {
		if r.ID == id {
			return true
		}
	}
	return false
}
