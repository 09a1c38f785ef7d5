package protocol

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"sync"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

// decodeStrict decodes the JSON object b into dst, a pointer to a wire struct,
// more strictly than encoding/json: duplicate keys, invalid UTF-8, keys that
// match a field only case-insensitively and unknown keys are all errors.
//
// Why: these values are hashed after decoding. A lenient decoder would let a
// sender put content on the wire (a second "id", an "ID") that no hash covers
// and that another implementation might read differently.
func decodeStrict(kind error, b []byte, dst any) error {
	if err := canonicaljson.Validate(b); err != nil {
		return &FieldError{Kind: kind, Reason: "malformed JSON", Cause: err}
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil || members == nil {
		return fieldErr(kind, "", "not a JSON object")
	}
	known := jsonFieldNames(reflect.TypeOf(dst).Elem())
	for k := range members {
		if _, ok := known[k]; !ok {
			return fieldErr(kind, truncate(k), "unknown field")
		}
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return &FieldError{Kind: kind, Reason: "wrong JSON type", Cause: err}
	}
	return nil
}

// fieldNameCache maps a wire struct type to its JSON member names: the same
// few types are decoded for every message of every batch.
var fieldNameCache sync.Map // reflect.Type -> map[string]struct{}

// jsonFieldNames lists the JSON member names of a wire struct's fields.
func jsonFieldNames(t reflect.Type) map[string]struct{} {
	if names, ok := fieldNameCache.Load(t); ok {
		return names.(map[string]struct{})
	}
	names := make(map[string]struct{}, t.NumField())
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names[name] = struct{}{}
		}
	}
	fieldNameCache.Store(t, names)
	return names
}
