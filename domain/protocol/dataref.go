package protocol

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/jsonappend"
)

// MaxSafeInteger is the largest integer every JSON reader, and RFC 8785's
// doubles, represent exactly (2^53 - 1).
const MaxSafeInteger = 1<<53 - 1

// MaxBlobNameLength bounds a blob's file name, in bytes of UTF-8.
const MaxBlobNameLength = 256

// BlobRef refers to a blob by the SHA-256 of its bytes, with its size and an
// optional file name.
type BlobRef struct {
	hash Hash
	size int64
	name string
}

// NewBlobRef validates a blob reference. hash is SHA256 of the blob's bytes.
func NewBlobRef(hash Hash, size int64, name string) (BlobRef, error) {
	b := BlobRef{hash: hash, size: size, name: name}
	if err := b.validate(); err != nil {
		return BlobRef{}, err
	}
	return b, nil
}

func (b BlobRef) validate() error {
	if b.size < 0 || b.size > MaxSafeInteger {
		return fieldErr(ErrInvalidData, "blob.size", "%d outside 0..%d", b.size, int64(MaxSafeInteger))
	}
	if len(b.name) > MaxBlobNameLength {
		return fieldErr(ErrInvalidData, "blob.name", "longer than %d bytes", MaxBlobNameLength)
	}
	if err := validText(ErrInvalidData, b.name); err != nil {
		return fieldCause(ErrInvalidData, "blob.name", err)
	}
	return nil
}

// Hash returns the SHA-256 of the blob's bytes (BH in PROTOCOL.md).
func (b BlobRef) Hash() Hash { return b.hash }

// Size returns the blob's length in bytes.
func (b BlobRef) Size() int64 { return b.size }

// Name returns the blob's file name, or "".
func (b BlobRef) Name() string { return b.name }

type blobJSON struct {
	Hash *Hash  `json:"hash"`
	Size *int64 `json:"size"`
	Name string `json:"name,omitempty"`
}

// MarshalJSON writes {"hash","size","name"}, name omitted when empty.
func (b BlobRef) MarshalJSON() ([]byte, error) { return b.AppendJSON(make([]byte, 0, 128)) }

// AppendJSON appends what MarshalJSON writes (see wirejson.go).
func (b BlobRef) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"hash":`...)
	dst = appendHash(dst, b.hash)
	dst = append(dst, `,"size":`...)
	dst = strconv.AppendInt(dst, b.size, 10)
	if b.name != "" {
		dst = append(dst, `,"name":`...)
		dst = jsonappend.String(dst, b.name)
	}
	return append(dst, '}'), nil
}

// marshalWire is the definition of BlobRef's JSON.
func (b BlobRef) marshalWire() ([]byte, error) {
	return json.Marshal(blobJSON{Hash: &b.hash, Size: &b.size, Name: b.name})
}

// UnmarshalJSON reads and validates a blob reference.
func (b *BlobRef) UnmarshalJSON(raw []byte) error {
	parsed, err := unmarshalBlobRef(raw, false)
	if err != nil {
		return err
	}
	*b = parsed
	return nil
}

var blobSpec = specOf[blobJSON]()

// parseBlobRef reads a blob reference nested in validated text.
func parseBlobRef(raw []byte) (BlobRef, error) { return unmarshalBlobRef(raw, true) }

func unmarshalBlobRef(raw []byte, validated bool) (BlobRef, error) {
	var w blobJSON
	var o strictObject
	if err := o.open(ErrInvalidData, raw, validated, blobSpec); err != nil {
		return BlobRef{}, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "hash":
			decodeHashPtr(&o, m, &w.Hash)
		case "size":
			decodeNumberPtr(&o, m, &w.Size)
		case "name":
			decodeString(&o, m, &w.Name)
		}
		if o.stopped() {
			break
		}
	}
	if err := o.err(); err != nil {
		return BlobRef{}, err
	}
	if w.Hash == nil {
		return BlobRef{}, fieldErr(ErrInvalidData, "blob.hash", "required")
	}
	if w.Size == nil {
		return BlobRef{}, fieldErr(ErrInvalidData, "blob.size", "required")
	}
	return NewBlobRef(*w.Hash, *w.Size, w.Name)
}

// DatatypeRef names a datatype definition: {name, version}.
type DatatypeRef struct {
	name    string
	version string
}

// NewDatatypeRef validates a datatype reference; name and version both follow
// ValidateName's rule (so "1.0.0" and "v2" are fine versions).
func NewDatatypeRef(name, version string) (DatatypeRef, error) {
	r := DatatypeRef{name: name, version: version}
	if err := r.validate(); err != nil {
		return DatatypeRef{}, err
	}
	return r, nil
}

func (r DatatypeRef) validate() error {
	if err := ValidateName(r.name); err != nil {
		return fieldCause(ErrInvalidData, "datatype.name", err)
	}
	if err := ValidateName(r.version); err != nil {
		return fieldCause(ErrInvalidData, "datatype.version", err)
	}
	return nil
}

// Name returns the datatype's name.
func (r DatatypeRef) Name() string { return r.name }

// Version returns the datatype's version.
func (r DatatypeRef) Version() string { return r.version }

type datatypeJSON struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// MarshalJSON writes {"name","version"}, the form data.hash covers.
func (r DatatypeRef) MarshalJSON() ([]byte, error) { return r.AppendJSON(make([]byte, 0, 64)) }

// AppendJSON appends what MarshalJSON writes (see wirejson.go).
func (r DatatypeRef) AppendJSON(dst []byte) ([]byte, error) {
	dst = append(dst, `{"name":`...)
	dst = jsonappend.String(dst, r.name)
	dst = append(dst, `,"version":`...)
	dst = jsonappend.String(dst, r.version)
	return append(dst, '}'), nil
}

// marshalWire is the definition of DatatypeRef's JSON.
func (r DatatypeRef) marshalWire() ([]byte, error) {
	return json.Marshal(datatypeJSON{Name: r.name, Version: r.version})
}

// UnmarshalJSON reads and validates a datatype reference.
func (r *DatatypeRef) UnmarshalJSON(raw []byte) error {
	parsed, err := unmarshalDatatypeRef(raw, false)
	if err != nil {
		return err
	}
	*r = parsed
	return nil
}

var datatypeSpec = specOf[datatypeJSON]()

// parseDatatypeRef reads a datatype reference nested in validated text.
func parseDatatypeRef(raw []byte) (DatatypeRef, error) { return unmarshalDatatypeRef(raw, true) }

func unmarshalDatatypeRef(raw []byte, validated bool) (DatatypeRef, error) {
	var w datatypeJSON
	var o strictObject
	if err := o.open(ErrInvalidData, raw, validated, datatypeSpec); err != nil {
		return DatatypeRef{}, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "name":
			decodeString(&o, m, &w.Name)
		case "version":
			decodeString(&o, m, &w.Version)
		}
		if o.stopped() {
			break
		}
	}
	if err := o.err(); err != nil {
		return DatatypeRef{}, err
	}
	return NewDatatypeRef(w.Name, w.Version)
}

// DataRef is how messages and manifests list data: id and hash.
type DataRef struct {
	ID   uuid.UUID
	Hash Hash
}

type dataRefJSON struct {
	ID   string `json:"id"`
	Hash Hash   `json:"hash"`
}

// dataRefWire is what a data ref is read into: unlike dataRefJSON, its hash
// can be missing. It was an anonymous struct; type errors named it "".
type dataRefWire = struct {
	ID   string `json:"id"`
	Hash *Hash  `json:"hash"`
}

var dataRefSpec = specOf[dataRefWire]()

// MarshalJSON writes {"id","hash"}.
func (r DataRef) MarshalJSON() ([]byte, error) { return r.AppendJSON(make([]byte, 0, 120)) }

// AppendJSON appends what MarshalJSON writes (see wirejson.go).
func (r DataRef) AppendJSON(dst []byte) ([]byte, error) {
	if r.ID == uuid.Nil {
		return nil, fieldErr(ErrInvalidData, "id", "required")
	}
	return r.appendJSON(dst), nil
}

// appendJSON is AppendJSON for a ref whose id is set.
func (r DataRef) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendQuotedUUID(dst, r.ID)
	dst = append(dst, `,"hash":`...)
	dst = appendHash(dst, r.Hash)
	return append(dst, '}')
}

// marshalWire is the definition of DataRef's JSON.
func (r DataRef) marshalWire() ([]byte, error) {
	if r.ID == uuid.Nil {
		return nil, fieldErr(ErrInvalidData, "id", "required")
	}
	return json.Marshal(dataRefJSON{ID: r.ID.String(), Hash: r.Hash})
}

// UnmarshalJSON reads {"id","hash"}, both required.
func (r *DataRef) UnmarshalJSON(raw []byte) error {
	parsed, err := unmarshalDataRef(raw, false)
	if err != nil {
		return err
	}
	*r = parsed
	return nil
}

// parseDataRef reads a data ref nested in validated text.
func parseDataRef(raw []byte) (DataRef, error) { return unmarshalDataRef(raw, true) }

func unmarshalDataRef(raw []byte, validated bool) (DataRef, error) {
	var w dataRefWire
	var o strictObject
	if err := o.open(ErrInvalidData, raw, validated, dataRefSpec); err != nil {
		return DataRef{}, err
	}
	for _, m := range o.fields() {
		switch m.name {
		case "id":
			decodeString(&o, m, &w.ID)
		case "hash":
			decodeHashPtr(&o, m, &w.Hash)
		}
		if o.stopped() {
			break
		}
	}
	if err := o.err(); err != nil {
		return DataRef{}, err
	}
	id, err := parseIDField(ErrInvalidData, "id", w.ID)
	if err != nil {
		return DataRef{}, err
	}
	if w.Hash == nil {
		return DataRef{}, fieldErr(ErrInvalidData, "hash", "required")
	}
	return DataRef{ID: id, Hash: *w.Hash}, nil
}

// String is for logs: "<id>:<hash>".
func (r DataRef) String() string { return fmt.Sprintf("%s:%s", r.ID, r.Hash) }
