package protocol

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

func TestWireSpecsFitStrictObject(t *testing.T) {
	for _, spec := range []*wireSpec{headerSpec, messageSpec, dataSpec, blobSpec, datatypeSpec, dataRefSpec, manifestSpec,
		manifestMessageSpec, groupSpec, memberSpec, contextDigestSpec} {
		assert.NotEmpty(t, spec.fields, spec.name)
		assert.LessOrEqual(t, len(spec.fields), maxWireFields, spec.name)
	}
}

// The strict decoders replaced encoding/json and report what it reported:
// these cases pin the kinds, order and details of those errors.
func TestStrictDecodingReportsWhatEncodingJSONDid(t *testing.T) {
	h, err := NewMessageHeader(broadcastFields(t))
	require.NoError(t, err)
	header := string(mustJSON(t, h))
	manifest := string(mustJSON(t, newTestBatch(t, broadcastFields).manifest))
	edit := func(raw, from, to string) []byte {
		require.Contains(t, raw, from)
		return []byte(strings.Replace(raw, from, to, 1))
	}
	parseHeader := func(b []byte) error { _, err := UnmarshalMessageHeader(b); return err }
	parseManifest := func(b []byte) error { _, err := UnmarshalManifest(b); return err }
	parseData := func(b []byte) error { _, err := UnmarshalData(b); return err }
	id := `"id":"6a1f4c2e-8b3d-4e5f-9a7b-1c2d3e4f5a6b"`
	hash := `"` + strings.Repeat("0", 64) + `"`

	for name, tc := range map[string]struct {
		parse func([]byte) error
		in    []byte
		check func(t *testing.T, err error)
	}{
		"string for an int": {parseManifest, edit(manifest, `"version":1`, `"version":"1"`),
			typeError("string", "manifestJSON", "version", "int")},
		"fraction for an int": {parseManifest, edit(manifest, `"version":1`, `"version":1.0`),
			typeError("number 1.0", "manifestJSON", "version", "int")},
		"number in a string list": {parseHeader, edit(header, `"topics":["default"]`, `"topics":["a",1]`),
			typeError("number", "headerJSON", "topics", "string")},
		"string for a list": {parseHeader, edit(header, `"topics":["default"]`, `"topics":"a"`),
			typeError("string", "headerJSON", "topics", "[]string")},
		"object for a string": {parseHeader, edit(header, `"namespace":"default"`, `"namespace":{}`),
			typeError("object", "headerJSON", "namespace", "string")},
		"null string is unset": {parseHeader, edit(header, `"namespace":"default"`, `"namespace":null`),
			fieldError(ErrInvalidMessage, "namespace")},
		"null list is unset": {parseHeader, edit(header, `"topics":["default"]`, `"topics":null`),
			fieldError(ErrInvalidMessage, "topics")},
		"null optional hash is absent":       {parseHeader, edit(header, `"topics"`, `"group":null,"topics"`), noError},
		"unknown field beats a nested error": {parseHeader, edit(header, `"datahash":"`, `"datahash":5,"x":"`), unknownField("x")},
		"hash of the wrong kind":             {parseData, []byte(`{` + id + `,"value":1,"hash":5}`), isErr(ErrInvalidHash)},
		"nested error":                       {parseHeader, edit(header, `"datahash":"`, `"datahash":"zz`), isErr(ErrInvalidHash)},
		"nested error beats an earlier type error": {parseHeader,
			edit(string(edit(header, `"namespace":"default"`, `"namespace":1`)), `"datahash":"`, `"datahash":"zz`), isErr(ErrInvalidHash)},
		"unknown field beats a type error": {parseHeader, edit(header, `"namespace":"default"`, `"namespace":1,"extra":1`),
			unknownField("extra")},
		"malformed JSON beats everything": {parseHeader, edit(header, `"namespace":"default"`, `"extra":1,"namespace":1e400`),
			isErr(canonicaljson.ErrInvalidJSON)},
		"escaped key is the field":   {parseHeader, edit(header, `"namespace"`, `"n\u0061mespace"`), noError},
		"case-folded key is unknown": {parseHeader, edit(header, `"namespace"`, `"Namespace"`), unknownField("Namespace")},
		"nested object's type error": {parseData, []byte(`{` + id + `,"blob":{"hash":` + hash + `,"size":"1"}}`),
			nestedTypeError("string", "blobJSON", "size", "int64")},
		"nested null object": {parseData, []byte(`{` + id + `,"value":1,"blob":null}`), noError},
		"null list element": {parseManifest, edit(manifest, `"data":[`, `"data":[null,`),
			fieldError(ErrInvalidData, "")},
	} {
		t.Run(name, func(t *testing.T) { tc.check(t, tc.parse(tc.in)) })
	}
}

func noError(t *testing.T, err error) { assert.NoError(t, err) }

func isErr(target error) func(*testing.T, error) {
	return func(t *testing.T, err error) { assert.ErrorIs(t, err, target) }
}

func fieldError(kind error, field string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		var fe *FieldError
		for errors.As(err, &fe) && fe.Cause != nil && fe.Reason == "wrong JSON type" {
			err = fe.Cause // down to the nested value's own error
		}
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, kind, fe.Kind, "%v", err)
		assert.Equal(t, field, fe.Field, "%v", err)
	}
}

func unknownField(field string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "unknown field", fe.Reason)
		assert.Equal(t, field, fe.Field)
	}
}

func typeError(value, structName, field, goType string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "wrong JSON type", fe.Reason)
		var te *json.UnmarshalTypeError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, value, te.Value)
		assert.Equal(t, structName, te.Struct)
		assert.Equal(t, field, te.Field)
		assert.Equal(t, goType, te.Type.String())
	}
}

func nestedTypeError(value, structName, field, goType string) func(*testing.T, error) {
	return func(t *testing.T, err error) {
		var fe *FieldError
		require.ErrorAs(t, err, &fe)
		require.ErrorAs(t, fe.Cause, &fe)
		typeError(value, structName, field, goType)(t, err)
	}
}

// Values nested in a validated text are not validated again; their decoders
// still refuse what is not an object.
func TestNestedDecodersNeedObjects(t *testing.T) {
	for _, raw := range []string{`null`, `1`, `"x"`, `[]`} {
		_, err := parseDataRef([]byte(raw))
		assert.ErrorIs(t, err, ErrInvalidData, raw)
		_, err = parseMember([]byte(raw))
		assert.ErrorIs(t, err, ErrInvalidGroup, raw)
	}
	var ref DataRef
	require.NoError(t, ref.UnmarshalJSON([]byte(` {"id":"`+uuid.New().String()+`","hash":"`+strings.Repeat("a", 64)+`"} `)))
	assert.Equal(t, reflect.TypeFor[dataRefWire]().Name(), "", "type errors named the anonymous struct \"\"")
}
