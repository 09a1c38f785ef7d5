package catalogue

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/ledgermirror/ledgermirror/domain/jsonscan"
)

// A shape is what decoding with encoding/json's DisallowUnknownFields checks
// of a payload's JSON: which members each plain struct on the way down
// accepts. Decode used to get that check from a json.Decoder, which copies
// the whole input into its own growing buffer first; json.Unmarshal reads
// the input in place but has no such option, so the check is made here,
// from this tree precomputed at registration, in one walk of the text.
//
// Where encoding/json does not look for unknown fields, neither does the
// shape: inside a value with its own UnmarshalJSON or UnmarshalText (which
// judges its members itself), an interface, or a map key. A value of the
// wrong kind (an array where a struct goes) is not walked either:
// json.Unmarshal rejects it anyway.
type shape struct {
	kind shapeKind
	// names and members are a struct's fields, in field order.
	names   *fieldNames
	members map[string]*shape
	// elem is a slice's, array's or map's element; n is an array's length
	// (encoding/json drops the elements past it unread), -1 for a slice.
	elem *shape
	n    int
}

type shapeKind uint8

const (
	opaque   shapeKind = iota // nothing inside is checked
	object                    // a plain struct
	list                      // a slice or array
	dictOf                    // a map
	reaching                  // being built; a cycle back to it reaches a struct
)

var (
	unmarshalerType     = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshalerType = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// shapeOf builds t's shape. A struct with an embedded field, or two fields
// with the same JSON name, panics: encoding/json resolves those by rules this
// does not repeat, and no payload needs them. Register runs at start-up, so
// this is a programming error found before any input is read.
func shapeOf(t reflect.Type) *shape {
	return shapeIn(t, map[reflect.Type]*shape{})
}

func shapeIn(t reflect.Type, seen map[reflect.Type]*shape) *shape {
	if s, ok := seen[t]; ok {
		return s
	}
	pt := reflect.PointerTo(t)
	if t.Implements(unmarshalerType) || pt.Implements(unmarshalerType) ||
		t.Implements(textUnmarshalerType) || pt.Implements(textUnmarshalerType) {
		return &shape{}
	}
	if t.Kind() == reflect.Pointer { // encoding/json looks through pointers
		s := shapeIn(t.Elem(), seen)
		seen[t] = s
		return s
	}
	s := &shape{kind: reaching}
	seen[t] = s
	switch t.Kind() {
	case reflect.Slice, reflect.Array:
		s.kind, s.elem, s.n = list, shapeIn(t.Elem(), seen), -1
		if t.Kind() == reflect.Array {
			s.n = t.Len()
		}
	case reflect.Map:
		s.kind, s.elem = dictOf, shapeIn(t.Elem(), seen)
	case reflect.Struct:
		s.kind, s.members = object, map[string]*shape{}
		var names []string
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Anonymous {
				panic(fmt.Sprintf("catalogue: %s.%s: embedded fields are not supported by Decode's unknown-field check", t, f.Name))
			}
			name, ok := jsonName(f)
			if !ok {
				continue
			}
			if _, dup := s.members[name]; dup {
				panic(fmt.Sprintf("catalogue: %s: two fields named %q", t, name))
			}
			names = append(names, name)
			s.members[name] = shapeIn(f.Type, seen)
		}
		s.names = newFieldNames(names...)
	default:
		s.kind = opaque
	}
	if s.kind != object && (s.elem == nil || s.elem.kind == opaque) {
		s.kind, s.elem = opaque, nil // nothing below to check: skip it unread
	}
	return s
}

// jsonName is the member name encoding/json gives f, or false if it skips f.
func jsonName(f reflect.StructField) (string, bool) {
	tag := f.Tag.Get("json")
	if !f.IsExported() || tag == "-" {
		return "", false
	}
	name, _, _ := strings.Cut(tag, ",")
	if name == "" {
		return f.Name, true
	}
	for _, c := range name {
		// encoding/json ignores a tag name with some punctuation and uses the
		// field's name; plain names need no such rule.
		if !plainNameRune(c) {
			panic(fmt.Sprintf("catalogue: field %s: JSON name %q is not a plain name", f.Name, name))
		}
	}
	return name, true
}

// check reports the first unknown member in raw, a validated JSON value.
func (s *shape) check(raw []byte) error {
	switch s.kind {
	case object:
		if raw[0] != '{' {
			return nil
		}
		for it := objectMembers(raw); ; {
			key, val, ok := it.next()
			if !ok {
				return nil
			}
			name, known := s.names.lookup(key)
			if !known {
				return unknownField(key)
			}
			if err := s.members[name].check(val); err != nil {
				return err
			}
		}
	case list:
		if raw[0] != '[' {
			return nil
		}
		it := arrayElements(raw)
		for i := 0; s.n < 0 || i < s.n; i++ {
			val, ok := it.next()
			if !ok {
				return nil
			}
			if err := s.elem.check(val); err != nil {
				return err
			}
		}
	case dictOf:
		if raw[0] != '{' {
			return nil
		}
		for it := objectMembers(raw); ; {
			_, val, ok := it.next()
			if !ok {
				return nil
			}
			if err := s.elem.check(val); err != nil {
				return err
			}
		}
	}
	return nil
}

func unknownField(key []byte) error {
	text, err := jsonscan.Unquote(key)
	if err != nil {
		text = key
	}
	return fmt.Errorf("json: unknown field %q", text)
}

// plainNameRune reports whether c may appear in a plain JSON name: a
// letter or digit of ASCII, '_' or '-'.
func plainNameRune(c rune) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
