package protocol

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"
)

// MaxMessageData bounds the data items of one message.
const MaxMessageData = 256

// smallList is the length up to which looking for a repeat by scanning the
// earlier items beats building a map.
const smallList = 16

// Message is a header plus the (id, hash) list of its data, in order. Its
// header's datahash always matches that list.
type Message struct {
	header MessageHeader
	data   []DataRef
}

// DataListHash computes a message's datahash:
// sha256(canonical([{"id": dataID, "hash": dataHash}, ...])) in data order.
func DataListHash(refs []DataRef) (Hash, error) {
	for _, r := range refs {
		if r.ID == uuid.Nil {
			// Unhashable: take the general path for the error it has always
			// given (DataRef.MarshalJSON's refusal, wrapped).
			_, err := hashCanonical(refs)
			return Hash{}, fieldCause(ErrInvalidMessage, "data", err)
		}
	}
	var buf [hashBufferSize]byte
	input := buf[:0]
	if need := 120 * len(refs); need > len(buf) {
		input = make([]byte, 0, need)
	}
	return SHA256(appendDataList(input, refs)), nil
}

// NewMessage pairs a header with its data refs, checking the refs (non-nil,
// unique ids, at most MaxMessageData) and that the header's datahash is theirs.
// A datahash that does not match is a *VerifyError with reason
// datahash-mismatch, because a receiver meets it as tampered content.
func NewMessage(h MessageHeader, data []DataRef) (Message, error) {
	if h.id == uuid.Nil {
		return Message{}, fieldErr(ErrInvalidMessage, "header", "not built by NewMessageHeader")
	}
	if err := validateRefs(data); err != nil {
		return Message{}, err
	}
	want, err := DataListHash(data)
	if err != nil {
		return Message{}, err
	}
	if h.dataHash != want {
		return Message{}, mismatch(ReasonDataListHashMismatch, "message", h.id, h.dataHash, want)
	}
	return Message{header: h, data: append([]DataRef(nil), data...)}, nil
}

// BuildMessage is the sender's shortcut: it sets f.DataHash from data, then
// builds the header and the message.
func BuildMessage(f MessageHeaderFields, data []DataRef) (Message, error) {
	dh, err := DataListHash(data)
	if err != nil {
		return Message{}, err
	}
	f.DataHash = dh
	h, err := NewMessageHeader(f)
	if err != nil {
		return Message{}, err
	}
	return NewMessage(h, data)
}

func validateRefs(data []DataRef) error {
	if len(data) > MaxMessageData {
		return fieldErr(ErrInvalidMessage, "data", "%d items, at most %d allowed", len(data), MaxMessageData)
	}
	var seen map[uuid.UUID]struct{} // only for long lists; most messages have one or two items
	for i, r := range data {
		if r.ID == uuid.Nil {
			return fieldErr(ErrInvalidMessage, fmt.Sprintf("data[%d].id", i), "required")
		}
		dup := false
		if len(data) <= smallList {
			dup = slices.ContainsFunc(data[:i], func(e DataRef) bool { return e.ID == r.ID })
		} else {
			if seen == nil {
				seen = make(map[uuid.UUID]struct{}, len(data))
			}
			_, dup = seen[r.ID]
			seen[r.ID] = struct{}{}
		}
		if dup {
			return fieldErr(ErrInvalidMessage, fmt.Sprintf("data[%d].id", i), "%s appears twice", r.ID)
		}
	}
	return nil
}

// Header returns the message header.
func (m Message) Header() MessageHeader { return m.header }

// ID returns the message id.
func (m Message) ID() uuid.UUID { return m.header.id }

// Hash returns message.hash.
func (m Message) Hash() Hash { return m.header.hash }

// Data returns a copy of the data refs, in order.
func (m Message) Data() []DataRef { return append([]DataRef(nil), m.data...) }

type messageJSON struct {
	Header json.RawMessage `json:"header"`
	Hash   *Hash           `json:"hash,omitempty"`
	Data   []DataRef       `json:"data"`
}

// MarshalJSON writes {"header": ..., "hash": ..., "data": [{"id","hash"}...]}.
func (m Message) MarshalJSON() ([]byte, error) {
	return m.AppendJSON(make([]byte, 0, 640+120*len(m.data)))
}

// AppendJSON appends what MarshalJSON writes (see wirejson.go).
func (m Message) AppendJSON(dst []byte) ([]byte, error) {
	start := len(dst)
	dst = append(dst, `{"header":`...)
	dst, err := m.header.AppendJSON(dst)
	if err != nil {
		return nil, err
	}
	dst = append(dst, `,"hash":`...)
	dst = appendHash(dst, m.header.hash)
	dst = append(dst, `,"data":`...)
	if m.data == nil {
		return append(dst, `[]}`...), nil
	}
	out, ok := appendDataRefsJSON(dst, m.data)
	if !ok {
		// A ref without an id, which NewMessage refuses: encoding/json's error.
		return appendWire(dst[:start], m.marshalWire)
	}
	return append(out, '}'), nil
}

// marshalWire is the definition of Message's JSON.
func (m Message) marshalWire() ([]byte, error) {
	header, err := m.header.MarshalJSON()
	if err != nil {
		return nil, err
	}
	data := m.data
	if data == nil {
		data = []DataRef{}
	}
	return json.Marshal(messageJSON{Header: header, Hash: &m.header.hash, Data: data})
}

// UnmarshalJSON re-validates a stored or received message; see
// UnmarshalMessage.
func (m *Message) UnmarshalJSON(raw []byte) error {
	parsed, err := UnmarshalMessage(raw)
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}

// UnmarshalMessage parses and re-validates a message written by MarshalJSON.
// Content that contradicts a hash it carries (the message hash, or the
// datahash against the data refs) is a *VerifyError with the matching reason.
func UnmarshalMessage(raw []byte) (Message, error) {
	w, err := decodeMessageJSON(raw)
	if err != nil {
		return Message{}, err
	}
	if w.Header == nil || w.Data == nil {
		return Message{}, fieldErr(ErrInvalidMessage, "", "header and data are required")
	}
	// The header is read after the whole message, as when it was a
	// json.RawMessage handed on to UnmarshalMessageHeader: its errors come
	// after those of the data list.
	h, err := unmarshalMessageHeader(w.Header, true)
	if err != nil {
		return Message{}, err
	}
	if w.Hash != nil && *w.Hash != h.hash {
		return Message{}, mismatch(ReasonMessageHashMismatch, "message", h.id, *w.Hash, h.hash)
	}
	return NewMessage(h, w.Data)
}

var messageSpec = specOf[messageJSON]()

func decodeMessageJSON(raw []byte) (messageJSON, error) {
	var w messageJSON
	var o strictObject
	if err := o.open(ErrInvalidMessage, raw, false, messageSpec); err != nil {
		return w, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "header":
			decodeRaw(m, &w.Header)
		case "hash":
			decodeHashPtr(&o, m, &w.Hash)
		case "data":
			decodeObjectList(&o, m, &w.Data, parseDataRef)
		}
		if o.stopped() {
			break
		}
	}
	return w, o.err()
}
