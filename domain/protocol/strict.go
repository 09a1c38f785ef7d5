package protocol

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"

	"github.com/ledgermirror/ledgermirror/domain/canonicaljson"
)

// Strict decoding reads the JSON object of a wire struct more strictly than
// encoding/json: duplicate keys, invalid UTF-8, keys that match a field only
// case-insensitively and unknown keys are all errors.
//
// Why: these values are hashed after decoding. A lenient decoder would let a
// sender put content on the wire (a second "id", an "ID") that no hash covers
// and that another implementation might read differently.
//
// Every received batch goes through here, so the input is validated once, at
// the outermost value, and each wire struct is then read by hand from the
// checked text (the decodeX functions beside each wire struct), nested values
// included. Going through encoding/json meant decoding twice (a map for the
// key check, then the struct) and validating each nested object again in its
// UnmarshalJSON, which was most of the cost of receiving. The errors are
// still those encoding/json produced, in the same order, as they are what
// callers and rejection events have always seen:
//
//  1. input canonicaljson rejects: "malformed JSON", wrapping its error;
//  2. not an object: "not a JSON object";
//  3. a key that is not exactly a field's name: "unknown field";
//  4. while decoding the members in input order, a nested value's own error
//     (a hash, a data ref, ...) stops decoding and is reported, else the
//     first *json.UnmarshalTypeError (as encoding/json would have built it),
//     both as "wrong JSON type";
//
// and after that, the checks of each UnmarshalX.

// wireSpec names a wire struct's JSON members, read from its struct tags so
// that the two cannot drift apart.
type wireSpec struct {
	name   string // the Go type name, which type errors mention
	fields []string
}

// maxWireFields is the most members a wire struct has (headerJSON).
const maxWireFields = 12

func specOf[T any]() *wireSpec {
	t := reflect.TypeFor[T]()
	spec := &wireSpec{name: t.Name()}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			spec.fields = append(spec.fields, name)
		}
	}
	return spec // strict_test.go checks that none has more than maxWireFields
}

// lookup returns the field name equal to the key literal's text. Field names
// need no escaping, so a key with an escape is decoded first (rarely: nobody
// writes them, but "\u0069d" is still "id").
func (s *wireSpec) lookup(key []byte) (string, bool) {
	text := key[1 : len(key)-1]
	if bytes.IndexByte(text, '\\') >= 0 {
		decoded, err := unquote(key)
		if err != nil {
			return "", false
		}
		text = []byte(decoded)
	}
	for _, f := range s.fields {
		if f == string(text) {
			return f, true
		}
	}
	return "", false
}

// wireMember is one member of the object being decoded.
type wireMember struct {
	name string // the field's name, from the spec
	val  wireValue
}

// strictObject is one wire object being decoded: its members, checked
// against the spec, and the first errors decoding them produced.
type strictObject struct {
	kind    error
	spec    *wireSpec
	members [maxWireFields]wireMember
	n       int
	typeErr error // first mismatched type; decoding carries on
	nested  error // a nested value's own error; decoding stops
}

// open runs steps 1 to 3 on raw. validated says raw is part of a text
// canonicaljson.Validate has accepted, so it is not checked again.
func (o *strictObject) open(kind error, raw []byte, validated bool, spec *wireSpec) error {
	o.kind, o.spec = kind, spec
	if !validated {
		if err := canonicaljson.Validate(raw); err != nil {
			return &FieldError{Kind: kind, Reason: "malformed JSON", Cause: err}
		}
	}
	it, ok := objectMembers(raw)
	if !ok {
		return fieldErr(kind, "", "not a JSON object")
	}
	for {
		key, val, more := it.next()
		if !more {
			return nil
		}
		name, known := spec.lookup(key)
		if !known || o.n == len(o.members) { // the latter cannot happen: keys are unique and known
			text, err := unquote(key)
			if err != nil { // unreachable: raw was validated
				return &FieldError{Kind: kind, Reason: "malformed JSON", Cause: err}
			}
			return fieldErr(kind, truncate(text), "unknown field")
		}
		o.members[o.n] = wireMember{name: name, val: val}
		o.n++
	}
}

// fields returns the members in input order.
func (o *strictObject) fields() []wireMember { return o.members[:o.n] }

// stopped reports whether a nested error ended decoding.
func (o *strictObject) stopped() bool { return o.nested != nil }

// fail records a nested value's error.
func (o *strictObject) fail(err error) {
	if o.nested == nil {
		o.nested = err
	}
}

// mismatch records that v cannot be decoded into field's Go type t, as
// encoding/json reports it: what it found, and where (after a literal, or
// just inside an object or array).
func (o *strictObject) mismatch(v wireValue, field string, t reflect.Type) {
	o.mismatchAs(v, field, t, v.kindName())
}

func (o *strictObject) mismatchAs(v wireValue, field string, t reflect.Type, found string) {
	if o.typeErr != nil {
		return
	}
	offset := v.off + len(v.raw)
	if c := v.raw[0]; c == '{' || c == '[' {
		offset = v.off + 1
	}
	o.typeErr = &json.UnmarshalTypeError{Value: found, Type: t, Offset: int64(offset), Struct: o.spec.name, Field: field}
}

// err is step 4's outcome.
func (o *strictObject) err() error {
	cause := o.nested
	if cause == nil {
		cause = o.typeErr
	}
	if cause == nil {
		return nil
	}
	return &FieldError{Kind: o.kind, Reason: "wrong JSON type", Cause: cause}
}
