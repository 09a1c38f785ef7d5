package protocol

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
)

// headerJSON is the header exactly as message.hash covers it: optional fields
// absent when unset, ids and hashes in their one text form.
type headerJSON struct {
	ID        string      `json:"id"`
	CID       string      `json:"cid,omitempty"`
	Type      MessageType `json:"type"`
	TxType    TxType      `json:"txtype"`
	Author    string      `json:"author"`
	Key       string      `json:"key"`
	Created   string      `json:"created"`
	Namespace string      `json:"namespace"`
	Group     *Hash       `json:"group,omitempty"`
	Topics    []string    `json:"topics"`
	Tag       string      `json:"tag,omitempty"`
	DataHash  *Hash       `json:"datahash"`
}

func (h MessageHeader) wire() headerJSON {
	w := headerJSON{ID: h.id.String(), Type: h.typ, TxType: h.txType, Author: h.author.String(),
		Key: h.key.String(), Created: h.created.String(), Namespace: h.namespace, Group: h.group,
		Topics: h.topics, Tag: h.tag, DataHash: &h.dataHash}
	if h.cid != uuid.Nil {
		w.CID = h.cid.String()
	}
	return w
}

// MarshalJSON writes the header in the form message.hash covers.
func (h MessageHeader) MarshalJSON() ([]byte, error) { return h.AppendJSON(make([]byte, 0, 512)) }

// AppendJSON appends what MarshalJSON writes (see wirejson.go): headerJSON's
// members in their order.
func (h MessageHeader) AppendJSON(dst []byte) ([]byte, error) {
	if h.id == uuid.Nil {
		return nil, fieldErr(ErrInvalidMessage, "", "header not built by NewMessageHeader")
	}
	dst = append(dst, `{"id":`...)
	dst = appendQuotedUUID(dst, h.id)
	if h.cid != uuid.Nil {
		dst = append(dst, `,"cid":`...)
		dst = appendQuotedUUID(dst, h.cid)
	}
	dst = append(dst, `,"type":`...)
	dst = jsonappend.String(dst, string(h.typ))
	dst = append(dst, `,"txtype":`...)
	dst = jsonappend.String(dst, string(h.txType))
	dst = append(dst, `,"author":`...)
	dst = jsonappend.String(dst, h.author.String())
	dst = append(dst, `,"key":`...)
	dst = appendQuotedKey(dst, h.key)
	dst = append(dst, `,"created":"`...)
	dst = appendTimestamp(dst, h.created)
	dst = append(dst, `","namespace":`...)
	dst = jsonappend.String(dst, h.namespace)
	if h.group != nil {
		dst = append(dst, `,"group":`...)
		dst = appendHash(dst, *h.group)
	}
	dst = append(dst, `,"topics":`...)
	dst = jsonappend.Strings(dst, h.topics)
	if h.tag != "" {
		dst = append(dst, `,"tag":`...)
		dst = jsonappend.String(dst, h.tag)
	}
	dst = append(dst, `,"datahash":`...)
	dst = appendHash(dst, h.dataHash)
	return append(dst, '}'), nil
}

// marshalWire is the definition of MessageHeader's JSON.
func (h MessageHeader) marshalWire() ([]byte, error) {
	if h.id == uuid.Nil {
		return nil, fieldErr(ErrInvalidMessage, "", "header not built by NewMessageHeader")
	}
	return json.Marshal(h.wire())
}

// UnmarshalJSON re-validates a stored or received header. Ids, DIDs, keys,
// hashes and times must be in their one canonical spelling, so a header read
// back hashes exactly as it did when it was written.
func (h *MessageHeader) UnmarshalJSON(raw []byte) error {
	parsed, err := UnmarshalMessageHeader(raw)
	if err != nil {
		return err
	}
	*h = parsed
	return nil
}

// UnmarshalMessageHeader parses and re-validates a header written by
// MarshalJSON.
func UnmarshalMessageHeader(raw []byte) (MessageHeader, error) {
	return unmarshalMessageHeader(raw, false)
}

// unmarshalMessageHeader is UnmarshalMessageHeader for raw that may be part of
// text canonicaljson already validated (see strictObject.open).
func unmarshalMessageHeader(raw []byte, validated bool) (MessageHeader, error) {
	w, err := decodeHeaderJSON(raw, validated)
	if err != nil {
		return MessageHeader{}, err
	}
	f, err := w.fields()
	if err != nil {
		return MessageHeader{}, err
	}
	return NewMessageHeader(f)
}

func (w headerJSON) fields() (MessageHeaderFields, error) {
	f := MessageHeaderFields{Type: w.Type, TxType: w.TxType, Namespace: w.Namespace, Group: w.Group, Tag: w.Tag}
	var err error
	if f.ID, err = parseIDField(ErrInvalidMessage, "id", w.ID); err != nil {
		return f, err
	}
	if w.CID != "" {
		if f.CID, err = parseIDField(ErrInvalidMessage, "cid", w.CID); err != nil {
			return f, err
		}
	}
	if f.Author, err = ParseOrgDID(w.Author); err != nil {
		return f, fieldCause(ErrInvalidMessage, "author", err)
	}
	if f.Key, err = parseStoredKey(ErrInvalidMessage, "key", w.Key); err != nil {
		return f, err
	}
	created, err := ParseTimestamp(w.Created)
	if err != nil {
		return f, fieldCause(ErrInvalidMessage, "created", err)
	}
	f.Created = created.Time()
	if len(w.Topics) == 0 {
		// Stored headers always carry their topics; defaulting here would make
		// two different byte strings hash-equivalent.
		return f, fieldErr(ErrInvalidMessage, "topics", "required")
	}
	f.Topics = w.Topics
	if w.DataHash == nil {
		return f, fieldErr(ErrInvalidMessage, "datahash", "required")
	}
	f.DataHash = *w.DataHash
	return f, nil
}

var headerSpec = specOf[headerJSON]()

func decodeHeaderJSON(raw []byte, validated bool) (headerJSON, error) {
	var w headerJSON
	var o strictObject
	if err := o.open(ErrInvalidMessage, raw, validated, headerSpec); err != nil {
		return w, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "id":
			decodeString(&o, m, &w.ID)
		case "cid":
			decodeString(&o, m, &w.CID)
		case "type":
			decodeString(&o, m, &w.Type)
		case "txtype":
			decodeString(&o, m, &w.TxType)
		case "author":
			decodeString(&o, m, &w.Author)
		case "key":
			decodeString(&o, m, &w.Key)
		case "created":
			decodeString(&o, m, &w.Created)
		case "namespace":
			decodeString(&o, m, &w.Namespace)
		case "group":
			decodeHashPtr(&o, m, &w.Group)
		case "topics":
			decodeStrings(&o, m, &w.Topics)
		case "tag":
			decodeString(&o, m, &w.Tag)
		case "datahash":
			decodeHashPtr(&o, m, &w.DataHash)
		}
		if o.stopped() {
			break
		}
	}
	return w, o.err()
}
