package protocol

import (
	"encoding/json"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
)

// dataJSON is how a data item is stored and sent: its fields plus its hash.
type dataJSON struct {
	ID       string          `json:"id"`
	Hash     *Hash           `json:"hash,omitempty"`
	Value    json.RawMessage `json:"value,omitempty"`
	Blob     *BlobRef        `json:"blob,omitempty"`
	Datatype *DatatypeRef    `json:"datatype,omitempty"`
}

// MarshalJSON writes {"id","hash","value","blob","datatype"}, absent members
// omitted.
func (d Data) MarshalJSON() ([]byte, error) {
	return d.AppendJSON(make([]byte, 0, 256+len(d.value)))
}

// AppendJSON appends what MarshalJSON writes (see wirejson.go).
func (d Data) AppendJSON(dst []byte) ([]byte, error) {
	if d.id == uuid.Nil {
		return nil, fieldErr(ErrInvalidData, "", "not built by NewData")
	}
	dst = append(dst, `{"id":`...)
	dst = appendQuotedUUID(dst, d.id)
	dst = append(dst, `,"hash":`...)
	dst = appendHash(dst, d.hash)
	if len(d.value) > 0 {
		dst = append(dst, `,"value":`...)
		// The value is canonical JSON (NewData), so valid; it may still hold
		// characters encoding/json escapes, which ValidRaw sees to.
		var err error
		if dst, err = jsonappend.ValidRaw(dst, d.value); err != nil {
			return nil, err
		}
	}
	if d.blob != nil {
		dst = append(dst, `,"blob":`...)
		dst, _ = d.blob.AppendJSON(dst) // never fails
	}
	if d.datatype != nil {
		dst = append(dst, `,"datatype":`...)
		dst, _ = d.datatype.AppendJSON(dst) // never fails
	}
	return append(dst, '}'), nil
}

// marshalWire is the definition of Data's JSON.
func (d Data) marshalWire() ([]byte, error) {
	if d.id == uuid.Nil {
		return nil, fieldErr(ErrInvalidData, "", "not built by NewData")
	}
	return json.Marshal(dataJSON{ID: d.id.String(), Hash: &d.hash, Value: d.value, Blob: d.blob, Datatype: d.datatype})
}

// UnmarshalJSON re-validates a stored or received data item. If it carries a
// hash that differs from the recomputed one, the error is a *VerifyError with
// reason data-hash-mismatch (errors.Is ErrVerification).
func (d *Data) UnmarshalJSON(raw []byte) error {
	parsed, err := UnmarshalData(raw)
	if err != nil {
		return err
	}
	*d = parsed
	return nil
}

// UnmarshalData parses and re-validates a data item written by MarshalJSON;
// see (*Data).UnmarshalJSON.
func UnmarshalData(raw []byte) (Data, error) {
	w, err := decodeDataJSON(raw)
	if err != nil {
		return Data{}, err
	}
	id, err := parseIDField(ErrInvalidData, "id", w.ID)
	if err != nil {
		return Data{}, err
	}
	d, err := NewData(DataFields{ID: id, Value: w.Value, Blob: w.Blob, Datatype: w.Datatype})
	if err != nil {
		return Data{}, err
	}
	if w.Hash != nil && *w.Hash != d.hash {
		return Data{}, mismatch(ReasonDataHashMismatch, "data", id, *w.Hash, d.hash)
	}
	return d, nil
}

var dataSpec = specOf[dataJSON]()

func decodeDataJSON(raw []byte) (dataJSON, error) {
	var w dataJSON
	var o strictObject
	if err := o.open(ErrInvalidData, raw, false, dataSpec); err != nil {
		return w, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "id":
			decodeString(&o, m, &w.ID)
		case "hash":
			decodeHashPtr(&o, m, &w.Hash)
		case "value":
			decodeRaw(m, &w.Value)
		case "blob":
			decodeObjectPtr(&o, m, &w.Blob, parseBlobRef)
		case "datatype":
			decodeObjectPtr(&o, m, &w.Datatype, parseDatatypeRef)
		}
		if o.stopped() {
			break
		}
	}
	return w, o.err()
}
