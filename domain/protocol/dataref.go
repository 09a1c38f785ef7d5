package protocol

import (
	"encoding/json"
	"fmt"

	"github.com/google/uuid"
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
func (b BlobRef) MarshalJSON() ([]byte, error) {
	return json.Marshal(blobJSON{Hash: &b.hash, Size: &b.size, Name: b.name})
}

// UnmarshalJSON reads and validates a blob reference.
func (b *BlobRef) UnmarshalJSON(raw []byte) error {
	var w blobJSON
	if err := decodeStrict(ErrInvalidData, raw, &w); err != nil {
		return err
	}
	if w.Hash == nil {
		return fieldErr(ErrInvalidData, "blob.hash", "required")
	}
	if w.Size == nil {
		return fieldErr(ErrInvalidData, "blob.size", "required")
	}
	parsed, err := NewBlobRef(*w.Hash, *w.Size, w.Name)
	if err != nil {
		return err
	}
	*b = parsed
	return nil
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
func (r DatatypeRef) MarshalJSON() ([]byte, error) {
	return json.Marshal(datatypeJSON{Name: r.name, Version: r.version})
}

// UnmarshalJSON reads and validates a datatype reference.
func (r *DatatypeRef) UnmarshalJSON(raw []byte) error {
	var w datatypeJSON
	if err := decodeStrict(ErrInvalidData, raw, &w); err != nil {
		return err
	}
	parsed, err := NewDatatypeRef(w.Name, w.Version)
	if err != nil {
		return err
	}
	*r = parsed
	return nil
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

// MarshalJSON writes {"id","hash"}.
func (r DataRef) MarshalJSON() ([]byte, error) {
	if r.ID == uuid.Nil {
		return nil, fieldErr(ErrInvalidData, "id", "required")
	}
	return json.Marshal(dataRefJSON{ID: r.ID.String(), Hash: r.Hash})
}

// UnmarshalJSON reads {"id","hash"}, both required.
func (r *DataRef) UnmarshalJSON(raw []byte) error {
	var w struct {
		ID   string `json:"id"`
		Hash *Hash  `json:"hash"`
	}
	if err := decodeStrict(ErrInvalidData, raw, &w); err != nil {
		return err
	}
	id, err := parseIDField(ErrInvalidData, "id", w.ID)
	if err != nil {
		return err
	}
	if w.Hash == nil {
		return fieldErr(ErrInvalidData, "hash", "required")
	}
	*r = DataRef{ID: id, Hash: *w.Hash}
	return nil
}

// String is for logs: "<id>:<hash>".
func (r DataRef) String() string { return fmt.Sprintf("%s:%s", r.ID, r.Hash) }
