package protocol

import (
	"encoding/json"
	"strconv"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
)

// manifestJSON is the manifest exactly as batch.hash covers it.
type manifestJSON struct {
	Version   *int              `json:"version"`
	ID        string            `json:"id"`
	Tx        string            `json:"tx"`
	Namespace string            `json:"namespace"`
	Author    string            `json:"author"`
	Key       string            `json:"key"`
	Group     *Hash             `json:"group,omitempty"`
	Messages  []ManifestMessage `json:"messages"`
	Data      []DataRef         `json:"data"`
}

func (m Manifest) wire() manifestJSON {
	version := ManifestVersion
	data := m.data
	if data == nil {
		data = []DataRef{} // "[]", never "null"
	}
	return manifestJSON{Version: &version, ID: m.id.String(), Tx: m.txID.String(), Namespace: m.namespace,
		Author: m.author.String(), Key: m.key.String(), Group: m.group, Messages: m.messages, Data: data}
}

// MarshalJSON writes the manifest in the form batch.hash covers.
func (m Manifest) MarshalJSON() ([]byte, error) {
	return m.AppendJSON(make([]byte, 0, 512+200*len(m.messages)+120*len(m.data)))
}

// AppendJSON appends what MarshalJSON writes (see wirejson.go): manifestJSON's
// members in their order.
func (m Manifest) AppendJSON(dst []byte) ([]byte, error) {
	if m.id == uuid.Nil {
		return nil, fieldErr(ErrInvalidManifest, "", "not built by NewManifest")
	}
	start := len(dst)
	dst = append(dst, `{"version":`...)
	dst = strconv.AppendInt(dst, ManifestVersion, 10)
	dst = append(dst, `,"id":`...)
	dst = appendQuotedUUID(dst, m.id)
	dst = append(dst, `,"tx":`...)
	dst = appendQuotedUUID(dst, m.txID)
	dst = append(dst, `,"namespace":`...)
	dst = jsonappend.String(dst, m.namespace)
	dst = append(dst, `,"author":`...)
	dst = jsonappend.String(dst, m.author.String())
	dst = append(dst, `,"key":`...)
	dst = appendQuotedKey(dst, m.key)
	if m.group != nil {
		dst = append(dst, `,"group":`...)
		dst = appendHash(dst, *m.group)
	}
	dst = append(dst, `,"messages":`...)
	dst, ok := appendManifestMessagesJSON(dst, m.messages)
	if ok {
		dst = append(dst, `,"data":`...)
		if m.data == nil {
			return append(dst, `[]}`...), nil
		}
		dst, ok = appendDataRefsJSON(dst, m.data)
	}
	if !ok {
		// An entry without an id, which NewManifest refuses: encoding/json's
		// error.
		return appendWire(dst[:start], m.marshalWire)
	}
	return append(dst, '}'), nil
}

// marshalWire is the definition of Manifest's JSON.
func (m Manifest) marshalWire() ([]byte, error) {
	if m.id == uuid.Nil {
		return nil, fieldErr(ErrInvalidManifest, "", "not built by NewManifest")
	}
	return json.Marshal(m.wire())
}

// appendManifestMessagesJSON writes entries as json.Marshal writes a
// []ManifestMessage, "null" when nil; false when an entry has no id.
func appendManifestMessagesJSON(dst []byte, entries []ManifestMessage) ([]byte, bool) {
	return appendIdentifiedJSON(dst, entries)
}

// UnmarshalJSON re-validates a stored or received manifest; see
// UnmarshalManifest.
func (m *Manifest) UnmarshalJSON(raw []byte) error {
	parsed, err := UnmarshalManifest(raw)
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}

// UnmarshalManifest parses and re-validates a manifest. Only version 1 is
// understood; every member must reject what it cannot hash the same way.
func UnmarshalManifest(raw []byte) (Manifest, error) {
	w, err := decodeManifestJSON(raw)
	if err != nil {
		return Manifest{}, err
	}
	if w.Version == nil || *w.Version != ManifestVersion {
		return Manifest{}, fieldErr(ErrInvalidManifest, "version", "must be %d", ManifestVersion)
	}
	f, err := w.fields()
	if err != nil {
		return Manifest{}, err
	}
	return NewManifest(f)
}

func (w manifestJSON) fields() (ManifestFields, error) {
	f := ManifestFields{Namespace: w.Namespace, Group: w.Group, Messages: w.Messages, Data: w.Data}
	var err error
	if f.ID, err = parseIDField(ErrInvalidManifest, "id", w.ID); err != nil {
		return f, err
	}
	if f.TxID, err = parseIDField(ErrInvalidManifest, "tx", w.Tx); err != nil {
		return f, err
	}
	if f.Author, err = ParseOrgDID(w.Author); err != nil {
		return f, fieldCause(ErrInvalidManifest, "author", err)
	}
	if f.Key, err = parseStoredKey(ErrInvalidManifest, "key", w.Key); err != nil {
		return f, err
	}
	if w.Data == nil {
		return f, fieldErr(ErrInvalidManifest, "data", "required (may be empty)")
	}
	return f, nil
}

type manifestMessageJSON struct {
	ID     string   `json:"id"`
	Hash   *Hash    `json:"hash"`
	Topics []string `json:"topics"`
}

// MarshalJSON writes {"id","hash","topics"}.
func (e ManifestMessage) MarshalJSON() ([]byte, error) { return e.AppendJSON(make([]byte, 0, 160)) }

// AppendJSON appends what MarshalJSON writes (see wirejson.go).
func (e ManifestMessage) AppendJSON(dst []byte) ([]byte, error) {
	if e.ID == uuid.Nil {
		return nil, fieldErr(ErrInvalidManifest, "messages.id", "required")
	}
	return e.appendJSON(dst), nil
}

// appendJSON is AppendJSON for an entry whose id is set.
func (e ManifestMessage) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendQuotedUUID(dst, e.ID)
	dst = append(dst, `,"hash":`...)
	dst = appendHash(dst, e.Hash)
	dst = append(dst, `,"topics":`...)
	dst = jsonappend.Strings(dst, e.Topics)
	return append(dst, '}')
}

// marshalWire is the definition of ManifestMessage's JSON.
func (e ManifestMessage) marshalWire() ([]byte, error) {
	if e.ID == uuid.Nil {
		return nil, fieldErr(ErrInvalidManifest, "messages.id", "required")
	}
	return json.Marshal(manifestMessageJSON{ID: e.ID.String(), Hash: &e.Hash, Topics: e.Topics})
}

// UnmarshalJSON reads {"id","hash","topics"}, all required; NewManifest checks
// the topics.
func (e *ManifestMessage) UnmarshalJSON(raw []byte) error {
	parsed, err := unmarshalManifestMessage(raw, false)
	if err != nil {
		return err
	}
	*e = parsed
	return nil
}

var (
	manifestSpec        = specOf[manifestJSON]()
	manifestMessageSpec = specOf[manifestMessageJSON]()
)

func decodeManifestJSON(raw []byte) (manifestJSON, error) {
	var w manifestJSON
	var o strictObject
	if err := o.open(ErrInvalidManifest, raw, false, manifestSpec); err != nil {
		return w, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "version":
			decodeNumberPtr(&o, m, &w.Version)
		case "id":
			decodeString(&o, m, &w.ID)
		case "tx":
			decodeString(&o, m, &w.Tx)
		case "namespace":
			decodeString(&o, m, &w.Namespace)
		case "author":
			decodeString(&o, m, &w.Author)
		case "key":
			decodeString(&o, m, &w.Key)
		case "group":
			decodeHashPtr(&o, m, &w.Group)
		case "messages":
			decodeObjectList(&o, m, &w.Messages, parseManifestMessage)
		case "data":
			decodeObjectList(&o, m, &w.Data, parseDataRef)
		}
		if o.stopped() {
			break
		}
	}
	return w, o.err()
}

// parseManifestMessage reads a manifest entry nested in validated text.
func parseManifestMessage(raw []byte) (ManifestMessage, error) {
	return unmarshalManifestMessage(raw, true)
}

func unmarshalManifestMessage(raw []byte, validated bool) (ManifestMessage, error) {
	var w manifestMessageJSON
	var o strictObject
	if err := o.open(ErrInvalidManifest, raw, validated, manifestMessageSpec); err != nil {
		return ManifestMessage{}, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "id":
			decodeString(&o, m, &w.ID)
		case "hash":
			decodeHashPtr(&o, m, &w.Hash)
		case "topics":
			decodeStrings(&o, m, &w.Topics)
		}
		if o.stopped() {
			break
		}
	}
	if err := o.err(); err != nil {
		return ManifestMessage{}, err
	}
	id, err := parseIDField(ErrInvalidManifest, "messages.id", w.ID)
	if err != nil {
		return ManifestMessage{}, err
	}
	if w.Hash == nil {
		return ManifestMessage{}, fieldErr(ErrInvalidManifest, "messages.hash", "required")
	}
	return ManifestMessage{ID: id, Hash: *w.Hash, Topics: w.Topics}, nil
}
