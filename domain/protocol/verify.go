package protocol

import (
	"slices"
)

// VerifyBatch is what a receiver runs before it accepts a batch: the manifest
// must hash to pinned (the batch hash from the chain), and the batch's
// messages and data must be exactly what the manifest lists, every hash
// recomputed. Any failure is a *VerifyError (errors.Is ErrVerification) whose
// Reason becomes the rejection reason.
//
// The checks run outermost first, so a tampered manifest is reported as
// batch-hash-mismatch rather than as whatever inner difference it causes.
func VerifyBatch(pinned Hash, m Manifest, messages []Message, data []Data) error {
	if m.hash != pinned {
		return mismatch(ReasonBatchHashMismatch, "batch", m.id, pinned, m.hash)
	}
	return VerifyBatchContent(m, messages, data)
}

// VerifyBatchContent is VerifyBatch without the pinned hash, for a batch that
// arrives before its pin: the manifest's claims against the content.
//
// Messages and data were parsed by UnmarshalMessage and UnmarshalData (or
// built by their constructors), so each already agrees with the hashes it
// carries; what is left is agreement with the manifest.
func VerifyBatchContent(m Manifest, messages []Message, data []Data) error {
	if len(m.messages) == 0 {
		return fieldErr(ErrInvalidManifest, "", "not built by NewManifest")
	}
	if err := verifyMessages(m, messages); err != nil {
		return err
	}
	return verifyData(m, messages, data)
}

func verifyMessages(m Manifest, messages []Message) error {
	if len(messages) != len(m.messages) {
		return manifestMismatch("batch", m.id, "manifest lists %d messages, batch holds %d", len(m.messages), len(messages))
	}
	head := batchHead{namespace: m.namespace, author: m.author, key: m.key, group: m.group, txType: messages[0].header.txType}
	for i, msg := range messages {
		entry := m.messages[i]
		if msg.ID() != entry.ID {
			return manifestMismatch("message", entry.ID, "position %d holds message %s", i, msg.ID())
		}
		if msg.Hash() != entry.Hash {
			return mismatch(ReasonMessageHashMismatch, "message", entry.ID, entry.Hash, msg.Hash())
		}
		// The message hash covers topics and head fields, so these only differ
		// if the manifest itself is inconsistent with the hashes it lists.
		if !slices.Equal(msg.header.topics, entry.Topics) {
			return manifestMismatch("message", entry.ID, "topics differ from the manifest")
		}
		if field := head.mismatchWith(msg.header); field != "" {
			return manifestMismatch("message", entry.ID, "%s differs from the manifest", field)
		}
	}
	return nil
}

func verifyData(m Manifest, messages []Message, data []Data) error {
	refs, err := uniqueRefs(messages)
	if err != nil {
		return err
	}
	if len(refs) != len(m.data) {
		return manifestMismatch("batch", m.id, "manifest lists %d data items, messages refer to %d", len(m.data), len(refs))
	}
	for i, r := range refs {
		if r.ID != m.data[i].ID {
			return manifestMismatch("data", m.data[i].ID, "position %d should be data %s", i, r.ID)
		}
		if r.Hash != m.data[i].Hash {
			return mismatch(ReasonDataHashMismatch, "data", r.ID, m.data[i].Hash, r.Hash)
		}
	}
	return matchData(refs, data)
}
