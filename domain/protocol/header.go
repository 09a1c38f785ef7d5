package protocol

import (
	"time"

	"github.com/google/uuid"
)

// MessageType says how a message travels and what it is for.
type MessageType string

// The message types of PROTOCOL.md.
const (
	MessageTypeBroadcast         MessageType = "broadcast"
	MessageTypePrivate           MessageType = "private"
	MessageTypeDefinition        MessageType = "definition"
	MessageTypeTransferBroadcast MessageType = "transfer_broadcast"
	MessageTypeTransferPrivate   MessageType = "transfer_private"
)

// Valid reports whether t is one of the message types.
func (t MessageType) Valid() bool {
	switch t {
	case MessageTypeBroadcast, MessageTypePrivate, MessageTypeDefinition,
		MessageTypeTransferBroadcast, MessageTypeTransferPrivate:
		return true
	}
	return false
}

// IsPrivate reports whether messages of type t go to a group (and so carry
// one).
func (t MessageType) IsPrivate() bool {
	return t == MessageTypePrivate || t == MessageTypeTransferPrivate
}

// TxType says whether a message is pinned on chain.
type TxType string

// The transaction types of PROTOCOL.md.
const (
	TxTypeBatchPin TxType = "batch_pin"
	TxTypeUnpinned TxType = "unpinned"
)

// Valid reports whether t is one of the transaction types.
func (t TxType) Valid() bool { return t == TxTypeBatchPin || t == TxTypeUnpinned }

// MessageHeaderFields are the inputs of NewMessageHeader.
type MessageHeaderFields struct {
	ID uuid.UUID
	// CID correlates the message with an earlier one; uuid.Nil for none.
	CID       uuid.UUID
	Type      MessageType
	TxType    TxType
	Author    OrgDID
	Key       SigningKey
	Created   time.Time
	Namespace string
	// Group is the private group's hash: required for private types,
	// forbidden for the others.
	Group *Hash
	// Topics default to ["default"] when empty; see normalizeTopics.
	Topics []string
	// Tag is an optional application label (ValidateTopic's rule).
	Tag string
	// DataHash is DataListHash of the message's data refs.
	DataHash Hash
}

// MessageHeader is the part of a message that message.hash covers.
type MessageHeader struct {
	id        uuid.UUID
	cid       uuid.UUID
	typ       MessageType
	txType    TxType
	author    OrgDID
	key       SigningKey
	created   Timestamp
	namespace string
	group     *Hash
	topics    []string
	tag       string
	dataHash  Hash
	hash      Hash
}

// NewMessageHeader validates f and computes message.hash.
func NewMessageHeader(f MessageHeaderFields) (MessageHeader, error) {
	h, err := headerFromFields(f)
	if err != nil {
		return MessageHeader{}, err
	}
	var buf [hashBufferSize]byte
	h.hash = SHA256(h.appendCanonical(buf[:0]))
	return h, nil
}

func headerFromFields(f MessageHeaderFields) (MessageHeader, error) {
	h := MessageHeader{id: f.ID, cid: f.CID, typ: f.Type, txType: f.TxType, author: f.Author,
		key: f.Key, namespace: f.Namespace, tag: f.Tag, dataHash: f.DataHash, group: clonePtr(f.Group)}
	var err error
	if f.ID == uuid.Nil {
		return h, fieldErr(ErrInvalidMessage, "id", "required")
	}
	if !f.Type.Valid() {
		return h, fieldErr(ErrInvalidMessage, "type", "unknown message type %q", truncate(string(f.Type)))
	}
	if !f.TxType.Valid() {
		return h, fieldErr(ErrInvalidMessage, "txtype", "unknown transaction type %q", truncate(string(f.TxType)))
	}
	if err = validateParties(f); err != nil {
		return h, err
	}
	if h.created, err = NewTimestamp(f.Created); err != nil {
		return h, fieldCause(ErrInvalidMessage, "created", err)
	}
	if err = validateGroupField(f.Type, f.Group); err != nil {
		return h, err
	}
	if h.topics, err = normalizeTopics(f.Topics); err != nil {
		return h, fieldCause(ErrInvalidMessage, "topics", err)
	}
	if f.Tag != "" {
		if err = ValidateTopic(f.Tag); err != nil {
			return h, fieldCause(ErrInvalidMessage, "tag", err)
		}
	}
	return h, nil
}

func validateParties(f MessageHeaderFields) error {
	if f.Author.IsZero() {
		return fieldErr(ErrInvalidMessage, "author", "required")
	}
	if f.Key.IsZero() {
		return fieldErr(ErrInvalidMessage, "key", "required")
	}
	if err := ValidateNamespace(f.Namespace); err != nil {
		return fieldCause(ErrInvalidMessage, "namespace", err)
	}
	return nil
}

func validateGroupField(t MessageType, group *Hash) error {
	switch {
	case t.IsPrivate() && group == nil:
		return fieldErr(ErrInvalidMessage, "group", "required for %s messages", t)
	case !t.IsPrivate() && group != nil:
		return fieldErr(ErrInvalidMessage, "group", "not allowed for %s messages", t)
	}
	return nil
}

// ID returns the message id.
func (h MessageHeader) ID() uuid.UUID { return h.id }

// CID returns the correlation id, or uuid.Nil.
func (h MessageHeader) CID() uuid.UUID { return h.cid }

// Type returns the message type.
func (h MessageHeader) Type() MessageType { return h.typ }

// TxType returns the transaction type.
func (h MessageHeader) TxType() TxType { return h.txType }

// Author returns the authoring org.
func (h MessageHeader) Author() OrgDID { return h.author }

// Key returns the author's signing key.
func (h MessageHeader) Key() SigningKey { return h.key }

// Created returns the creation time.
func (h MessageHeader) Created() Timestamp { return h.created }

// Namespace returns the namespace.
func (h MessageHeader) Namespace() string { return h.namespace }

// Group returns the private group's hash, if the message is private.
func (h MessageHeader) Group() (Hash, bool) {
	if h.group == nil {
		return Hash{}, false
	}
	return *h.group, true
}

// Topics returns a copy of the topics (never empty).
func (h MessageHeader) Topics() []string { return append([]string(nil), h.topics...) }

// Tag returns the tag, or "".
func (h MessageHeader) Tag() string { return h.tag }

// DataHash returns the header's datahash.
func (h MessageHeader) DataHash() Hash { return h.dataHash }

// Hash returns message.hash.
func (h MessageHeader) Hash() Hash { return h.hash }
