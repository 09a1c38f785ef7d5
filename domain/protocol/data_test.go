package protocol

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewDataKeepsCanonicalValue(t *testing.T) {
	d, err := NewData(DataFields{ID: uuid.New(), Value: json.RawMessage(` {"b": 4.50, "a": 9007199254740993} `)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"a":9007199254740992,"b":4.5}`, string(d.Value()))
	assert.Equal(t, `{"a":9007199254740992,"b":4.5}`, string(d.Value()))

	// Spellings of one value hash alike.
	d2, err := NewData(DataFields{ID: d.ID(), Value: json.RawMessage(`{"a":9007199254740992,"b":4.5}`)})
	require.NoError(t, err)
	assert.Equal(t, d.Hash(), d2.Hash())
}

func TestNewDataRejects(t *testing.T) {
	blob, err := NewBlobRef(SHA256([]byte("x")), 1, "")
	require.NoError(t, err)
	dt, err := NewDatatypeRef("invoice", "1")
	require.NoError(t, err)
	cases := []struct {
		name  string
		f     DataFields
		field string
	}{
		{"no id", DataFields{Value: json.RawMessage(`1`)}, "id"},
		{"nothing", DataFields{ID: uuid.New()}, ""},
		{"null value only", DataFields{ID: uuid.New(), Value: json.RawMessage(`null`)}, ""},
		{"invalid value", DataFields{ID: uuid.New(), Value: json.RawMessage(`{"a":1,"a":2}`)}, "value"},
		{"datatype without value", DataFields{ID: uuid.New(), Blob: &blob, Datatype: &dt}, "datatype"},
		{"bad blob", DataFields{ID: uuid.New(), Blob: &BlobRef{size: -1}}, "blob"},
		{"bad datatype", DataFields{ID: uuid.New(), Value: json.RawMessage(`1`), Datatype: &DatatypeRef{name: "x"}}, "datatype"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewData(tc.f)
			require.ErrorIs(t, err, ErrInvalidData)
			var fe *FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

func TestBlobAndDatatypeRefs(t *testing.T) {
	_, err := NewBlobRef(Hash{}, MaxSafeInteger+1, "")
	assert.ErrorIs(t, err, ErrInvalidData)
	_, err = NewBlobRef(Hash{}, 0, strings.Repeat("n", MaxBlobNameLength+1))
	assert.ErrorIs(t, err, ErrInvalidData)
	_, err = NewBlobRef(Hash{}, 0, "a\nb")
	assert.ErrorIs(t, err, ErrInvalidData)
	_, err = NewDatatypeRef("ok", "")
	assert.ErrorIs(t, err, ErrInvalidData)
	assert.ErrorIs(t, err, ErrInvalidName)
}

func TestDataJSON(t *testing.T) {
	blob, err := NewBlobRef(SHA256([]byte("bytes")), 5, "b.bin")
	require.NoError(t, err)
	dt, err := NewDatatypeRef("invoice", "1.0")
	require.NoError(t, err)
	d, err := NewData(DataFields{ID: uuid.MustParse("6a1f4c2e-8b3d-4e5f-9a7b-1c2d3e4f5a6b"), Value: json.RawMessage(`[1]`), Blob: &blob, Datatype: &dt})
	require.NoError(t, err)
	raw := mustJSON(t, d)
	assert.JSONEq(t, `{"id":"6a1f4c2e-8b3d-4e5f-9a7b-1c2d3e4f5a6b","hash":"`+d.Hash().String()+`","value":[1],
		"blob":{"hash":"`+blob.Hash().String()+`","size":5,"name":"b.bin"},"datatype":{"name":"invoice","version":"1.0"}}`, string(raw))
	assertDataRoundTrip(t, d)

	// A tampered value no longer matches the carried hash.
	tampered := strings.Replace(string(raw), `"value":[1]`, `"value":[2]`, 1)
	_, err = UnmarshalData([]byte(tampered))
	var ve *VerifyError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, ReasonDataHashMismatch, ve.Reason)
	assert.Equal(t, d.ID(), ve.ID)
	assert.Equal(t, d.Hash(), ve.Expected)
}

func TestUnmarshalDataIsStrict(t *testing.T) {
	id := `"id":"6a1f4c2e-8b3d-4e5f-9a7b-1c2d3e4f5a6b"`
	for name, in := range map[string]string{
		"not an object":     `[]`,
		"null":              `null`,
		"duplicate key":     `{` + id + `,` + id + `,"value":1}`,
		"unknown field":     `{` + id + `,"value":1,"extra":1}`,
		"case-folded field": `{` + id + `,"Value":1}`,
		"upper-case id":     `{"id":"6A1F4C2E-8B3D-4E5F-9A7B-1C2D3E4F5A6B","value":1}`,
		"blob without size": `{` + id + `,"blob":{"hash":"` + strings.Repeat("0", 64) + `"}}`,
		"blob extra field":  `{` + id + `,"blob":{"hash":"` + strings.Repeat("0", 64) + `","size":1,"x":1}}`,
		"blob bad size":     `{` + id + `,"blob":{"hash":"` + strings.Repeat("0", 64) + `","size":1.5}}`,
		"datatype folded":   `{` + id + `,"value":1,"datatype":{"NAME":"a","version":"1"}}`,
		"bad hash":          `{` + id + `,"value":1,"hash":"xyz"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := UnmarshalData([]byte(in))
			assert.ErrorIs(t, err, ErrInvalidData)
		})
	}
}
