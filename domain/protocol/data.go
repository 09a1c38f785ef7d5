package protocol

import (
	"bytes"
	"encoding/json"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

// DataFields are the inputs of NewData.
type DataFields struct {
	ID uuid.UUID
	// Value is any JSON value, or nil/empty for none. JSON null counts as none,
	// so that {"value": null} and no value cannot hash differently.
	Value json.RawMessage
	// Blob refers to attached bytes, or is nil.
	Blob *BlobRef
	// Datatype names the JSON schema Value must satisfy, or is nil. It needs a
	// Value. Checking Value against the schema is the datatype registry's job.
	Datatype *DatatypeRef
}

// Data is one data item of a message: an optional JSON value, an optional blob
// and an optional datatype reference, with at least a value or a blob.
type Data struct {
	id       uuid.UUID
	value    json.RawMessage // canonical form, nil if absent
	blob     *BlobRef
	datatype *DatatypeRef
	hash     Hash
}

// dataHashInput is exactly what data.hash covers. The blob appears as its
// content hash only: its size and name are metadata a receiver checks against
// the bytes it fetches. Hashing writes its canonical form directly
// (appendHashInput); this struct is the definition that writer is tested
// against.
type dataHashInput struct {
	Value    json.RawMessage `json:"value,omitempty"`
	Blob     *Hash           `json:"blob,omitempty"`
	Datatype *DatatypeRef    `json:"datatype,omitempty"`
}

// NewData validates f and computes the data hash.
//
// The value is kept in its canonical form, not as given. The hash covers only
// the canonical form, so if the original text were kept, a sender could give
// two members different texts (9007199254740993 and 9007199254740992) with one
// hash; keeping the canonical text means equal hashes imply equal values.
func NewData(f DataFields) (Data, error) {
	if f.ID == uuid.Nil {
		return Data{}, fieldErr(ErrInvalidData, "id", "required")
	}
	value, err := canonicalValue(f.Value)
	if err != nil {
		return Data{}, err
	}
	if value == nil && f.Blob == nil {
		return Data{}, fieldErr(ErrInvalidData, "", "needs a value or a blob")
	}
	if err := validateDataRefs(f, value); err != nil {
		return Data{}, err
	}
	d := Data{id: f.ID, value: value, blob: clonePtr(f.Blob), datatype: clonePtr(f.Datatype)}
	var buf [hashBufferSize]byte
	input := buf[:0]
	if need := len(value) + 256; need > len(buf) {
		input = make([]byte, 0, need)
	}
	d.hash = SHA256(d.appendHashInput(input))
	return d, nil
}

func (d Data) hashInput() dataHashInput {
	in := dataHashInput{Value: d.value, Datatype: d.datatype}
	if d.blob != nil {
		in.Blob = &d.blob.hash
	}
	return in
}

func validateDataRefs(f DataFields, value json.RawMessage) error {
	if f.Blob != nil {
		if err := f.Blob.validate(); err != nil {
			return fieldCause(ErrInvalidData, "blob", err)
		}
	}
	if f.Datatype != nil {
		if err := f.Datatype.validate(); err != nil {
			return fieldCause(ErrInvalidData, "datatype", err)
		}
		if value == nil {
			return fieldErr(ErrInvalidData, "datatype", "a datatype needs a value to validate")
		}
	}
	return nil
}

// canonicalValue returns the canonical form of raw, or nil for no value.
func canonicalValue(raw json.RawMessage) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, nil
	}
	c, err := canonicaljson.Canonicalize(raw)
	if err != nil {
		return nil, fieldCause(ErrInvalidData, "value", err)
	}
	if string(c) == "null" {
		return nil, nil
	}
	return c, nil
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	c := *p
	return &c
}

// ID returns the data item's id.
func (d Data) ID() uuid.UUID { return d.id }

// Hash returns data.hash.
func (d Data) Hash() Hash { return d.hash }

// Ref returns the (id, hash) pair messages and manifests refer to the item by.
func (d Data) Ref() DataRef { return DataRef{ID: d.id, Hash: d.hash} }

// Value returns a copy of the canonical JSON value, or nil if there is none.
func (d Data) Value() json.RawMessage { return bytes.Clone(d.value) }

// Blob returns the blob reference, if any.
func (d Data) Blob() (BlobRef, bool) {
	if d.blob == nil {
		return BlobRef{}, false
	}
	return *d.blob, true
}

// Datatype returns the datatype reference, if any.
func (d Data) Datatype() (DatatypeRef, bool) {
	if d.datatype == nil {
		return DatatypeRef{}, false
	}
	return *d.datatype, true
}
