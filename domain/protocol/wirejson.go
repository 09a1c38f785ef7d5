package protocol

import "github.com/google/uuid"

// The AppendJSON methods write the JSON a type's MarshalJSON has always
// written (json.Marshal of its wire struct, which stays as the definition:
// the marshalWire methods) without encoding/json. encoding/json validates
// and compacts the output of every MarshalJSON again at each level it is
// nested in, so a data value inside a message batch inside an event was
// scanned three times; these write every byte once. wirejson_test.go
// compares the two on random values.
//
// Where a writer meets what it does not handle (an unset id, which the
// constructors exclude, so only a zero value has one), it hands the whole
// value to marshalWire, so errors and any unusual bytes stay encoding/json's.

// appendWire appends what marshal writes, or returns its error.
func appendWire(dst []byte, marshal func() ([]byte, error)) ([]byte, error) {
	out, err := marshal()
	if err != nil {
		return nil, err
	}
	return append(dst, out...), nil
}

// appendQuotedKey writes k as a JSON string, "" for the zero key, as
// json.Marshal writes k.String(): its hex needs no escaping.
func appendQuotedKey(dst []byte, k SigningKey) []byte {
	dst = append(dst, '"')
	dst = appendKey(dst, k)
	return append(dst, '"')
}

// appendDataRefsJSON writes refs as json.Marshal writes a []DataRef, "null"
// when nil; false when a ref has no id (DataRef.MarshalJSON refuses it).
func appendDataRefsJSON(dst []byte, refs []DataRef) ([]byte, bool) {
	return appendIdentifiedJSON(dst, refs)
}

// identified is a list entry of the wire that has an id and writes itself.
type identified interface {
	id() uuid.UUID
	appendJSON(dst []byte) []byte
}

// appendIdentifiedJSON writes items as json.Marshal writes the slice,
// "null" when nil; false when an item has no id (its MarshalJSON refuses
// it, and the caller falls back to that for the error).
func appendIdentifiedJSON[T identified](dst []byte, items []T) ([]byte, bool) {
	if items == nil {
		return append(dst, "null"...), true
	}
	dst = append(dst, '[')
	for i, item := range items {
		if item.id() == uuid.Nil {
			return dst, false
		}
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = item.appendJSON(dst)
	}
	return append(dst, ']'), true
}

func (r DataRef) id() uuid.UUID         { return r.ID }
func (e ManifestMessage) id() uuid.UUID { return e.ID }
