package protocol

import (
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// ManifestVersion is the only manifest version this code reads or writes.
const ManifestVersion = 1

// MaxBatchMessages bounds the messages of one batch. Nodes batch up to a
// configured size (default 200); this is the ceiling that configuration may
// not exceed, so that no member can make others hash unbounded manifests.
const MaxBatchMessages = 1000

// ManifestMessage is a manifest's entry for one message.
type ManifestMessage struct {
	ID     uuid.UUID
	Hash   Hash
	Topics []string
}

// ManifestFields are the inputs of NewManifest.
type ManifestFields struct {
	ID        uuid.UUID
	TxID      uuid.UUID
	Namespace string
	Author    OrgDID
	Key       SigningKey
	// Group is set for private batches and nil for broadcast ones.
	Group    *Hash
	Messages []ManifestMessage
	Data     []DataRef
}

// Manifest is what all members agree a batch contains; batch.hash is the hash
// of its canonical JSON.
type Manifest struct {
	id        uuid.UUID
	txID      uuid.UUID
	namespace string
	author    OrgDID
	key       SigningKey
	group     *Hash
	messages  []ManifestMessage
	data      []DataRef
	hash      Hash
}

// NewManifest validates f and computes batch.hash. It checks the manifest on
// its own terms (ids set and unique, topics valid, sizes bounded); whether it
// matches the batch's content is VerifyBatchContent's job.
func NewManifest(f ManifestFields) (Manifest, error) {
	if err := validateManifestHead(f); err != nil {
		return Manifest{}, err
	}
	messages, err := validateManifestMessages(f.Messages)
	if err != nil {
		return Manifest{}, err
	}
	if err := validateManifestData(f.Data); err != nil {
		return Manifest{}, err
	}
	m := Manifest{id: f.ID, txID: f.TxID, namespace: f.Namespace, author: f.Author, key: f.Key,
		group: clonePtr(f.Group), messages: messages, data: slices.Clone(f.Data)}
	m.hash = SHA256(m.appendCanonical(make([]byte, 0, m.canonicalSize())))
	return m, nil
}

func validateManifestHead(f ManifestFields) error {
	switch {
	case f.ID == uuid.Nil:
		return fieldErr(ErrInvalidManifest, "id", "required")
	case f.TxID == uuid.Nil:
		return fieldErr(ErrInvalidManifest, "tx", "required")
	case f.Author.IsZero():
		return fieldErr(ErrInvalidManifest, "author", "required")
	case f.Key.IsZero():
		return fieldErr(ErrInvalidManifest, "key", "required")
	}
	if err := ValidateNamespace(f.Namespace); err != nil {
		return fieldCause(ErrInvalidManifest, "namespace", err)
	}
	return nil
}

// validateManifestMessages returns a deep copy of the entries once they pass.
// Topics are not defaulted here: a manifest lists them as the messages carry
// them, which is never empty.
func validateManifestMessages(entries []ManifestMessage) ([]ManifestMessage, error) {
	if len(entries) == 0 || len(entries) > MaxBatchMessages {
		return nil, fieldErr(ErrInvalidManifest, "messages", "%d messages, need 1 to %d", len(entries), MaxBatchMessages)
	}
	out := make([]ManifestMessage, len(entries))
	seen := make(map[uuid.UUID]struct{}, len(entries))
	field := func(i int, name string) string { return fmt.Sprintf("messages[%d].%s", i, name) }
	for i, e := range entries {
		if e.ID == uuid.Nil {
			return nil, fieldErr(ErrInvalidManifest, field(i, "id"), "required")
		}
		if _, dup := seen[e.ID]; dup {
			return nil, fieldErr(ErrInvalidManifest, field(i, "id"), "%s appears twice", e.ID)
		}
		seen[e.ID] = struct{}{}
		if len(e.Topics) == 0 {
			return nil, fieldErr(ErrInvalidManifest, field(i, "topics"), "required")
		}
		topics, err := normalizeTopics(e.Topics)
		if err != nil {
			return nil, fieldCause(ErrInvalidManifest, field(i, "topics"), err)
		}
		out[i] = ManifestMessage{ID: e.ID, Hash: e.Hash, Topics: topics}
	}
	return out, nil
}

func validateManifestData(refs []DataRef) error {
	if len(refs) > MaxBatchMessages*MaxMessageData {
		return fieldErr(ErrInvalidManifest, "data", "%d items is too many", len(refs))
	}
	seen := make(map[uuid.UUID]struct{}, len(refs))
	for i, r := range refs {
		if r.ID == uuid.Nil {
			return fieldErr(ErrInvalidManifest, fmt.Sprintf("data[%d].id", i), "required")
		}
		if _, dup := seen[r.ID]; dup {
			return fieldErr(ErrInvalidManifest, fmt.Sprintf("data[%d].id", i), "%s appears twice", r.ID)
		}
		seen[r.ID] = struct{}{}
	}
	return nil
}

// ID returns the batch id.
func (m Manifest) ID() uuid.UUID { return m.id }

// TxID returns the id of the transaction that pins the batch.
func (m Manifest) TxID() uuid.UUID { return m.txID }

// Namespace returns the batch's namespace.
func (m Manifest) Namespace() string { return m.namespace }

// Author returns the org that authored every message of the batch.
func (m Manifest) Author() OrgDID { return m.author }

// Key returns the key the batch is pinned with.
func (m Manifest) Key() SigningKey { return m.key }

// Group returns the private group's hash, or false for a broadcast batch.
func (m Manifest) Group() (Hash, bool) {
	if m.group == nil {
		return Hash{}, false
	}
	return *m.group, true
}

// Messages returns a copy of the message entries, in batch order.
func (m Manifest) Messages() []ManifestMessage {
	out := make([]ManifestMessage, len(m.messages))
	for i, e := range m.messages {
		out[i] = ManifestMessage{ID: e.ID, Hash: e.Hash, Topics: slices.Clone(e.Topics)}
	}
	return out
}

// Data returns a copy of the data entries, in batch order.
func (m Manifest) Data() []DataRef { return slices.Clone(m.data) }

// Hash returns batch.hash.
func (m Manifest) Hash() Hash { return m.hash }
