package protocol

import (
	"encoding/json"
	"reflect"
	"strconv"
)

// Decoding one member into a wire struct field, the way encoding/json decodes
// into a field of that Go type (see strict.go): what a null does, which kinds
// are a type mismatch, and which errors come from a nested value's own
// UnmarshalJSON or UnmarshalText and so stop decoding.

// decodeString is a string field: null leaves it alone.
func decodeString[T ~string](o *strictObject, m wireMember, dst *T) {
	switch m.val.raw[0] {
	case '"':
		s, err := unquote(m.val.raw)
		if err != nil {
			o.fail(err)
			return
		}
		*dst = T(s)
	case 'n':
	default:
		o.mismatch(m.val, m.name, reflect.TypeFor[T]())
	}
}

// decodeStringPtr is a *string field: null sets nil.
func decodeStringPtr(o *strictObject, m wireMember, dst **string) {
	switch m.val.raw[0] {
	case 'n':
		*dst = nil
	case '"':
		s, err := unquote(m.val.raw)
		if err != nil {
			o.fail(err)
			return
		}
		*dst = &s
	default:
		o.mismatch(m.val, m.name, reflect.TypeFor[string]())
	}
}

// decodeStrings is a []string field: a null element is "", and every element
// of another kind is a mismatch of its own.
func decodeStrings(o *strictObject, m wireMember, dst *[]string) {
	switch m.val.raw[0] {
	case 'n':
		*dst = nil
		return
	case '[':
	default:
		o.mismatch(m.val, m.name, reflect.TypeFor[[]string]())
		return
	}
	list := make([]string, 0, 4)
	for it := arrayElements(m.val); ; {
		v, ok := it.next()
		if !ok {
			break
		}
		var s string
		switch v.raw[0] {
		case '"':
			var err error
			if s, err = unquote(v.raw); err != nil {
				o.fail(err)
				return
			}
		case 'n':
		default:
			o.mismatch(v, m.name, reflect.TypeFor[string]())
		}
		list = append(list, s)
	}
	*dst = list
}

// decodeNumberPtr is a *int, *int64 or *uint64 field: only an integer literal
// in range fits, and encoding/json quotes the literal when one does not.
func decodeNumberPtr[T int | int64 | uint64](o *strictObject, m wireMember, dst **T) {
	switch c := m.val.raw[0]; {
	case c == 'n':
		*dst = nil
		return
	case c != '-' && (c < '0' || c > '9'):
		o.mismatch(m.val, m.name, reflect.TypeFor[T]())
		return
	}
	var n T
	var ok bool
	switch any(n).(type) {
	case uint64:
		u, err := strconv.ParseUint(string(m.val.raw), 10, 64)
		n, ok = T(u), err == nil
	default:
		i, err := strconv.ParseInt(string(m.val.raw), 10, 64)
		n, ok = T(i), err == nil && int64(T(i)) == i
	}
	if !ok {
		o.mismatchAs(m.val, m.name, reflect.TypeFor[T](), "number "+string(m.val.raw))
		return
	}
	*dst = &n
}

// decodeHashPtr is a *Hash field: null sets nil, anything else goes through
// Hash.UnmarshalJSON's rules.
func decodeHashPtr(o *strictObject, m wireMember, dst **Hash) {
	if m.val.raw[0] == 'n' {
		*dst = nil
		return
	}
	h, err := hashFromJSON(m.val.raw)
	if err != nil {
		o.fail(err)
		return
	}
	*dst = &h
}

// hashFromJSON is Hash.UnmarshalJSON for a value that is known to be JSON and
// not null.
func hashFromJSON(raw []byte) (Hash, error) {
	if raw[0] != '"' {
		return Hash{}, errNotJSONString
	}
	if h, ok := parseHashBytes(raw[1 : len(raw)-1]); ok {
		return h, nil // the usual case, without making a string of it
	}
	s, err := unquote(raw)
	if err != nil {
		return Hash{}, err
	}
	return ParseHash(s)
}

// decodeRaw is a json.RawMessage field: it takes any value, null included.
// The bytes are not copied; every caller is done with them before it returns.
func decodeRaw(m wireMember, dst *json.RawMessage) { *dst = m.val.raw }

// decodeObjectPtr is a *T field where *T has an UnmarshalJSON: null sets nil,
// anything else is T's to judge.
func decodeObjectPtr[T any](o *strictObject, m wireMember, dst **T, parse func([]byte) (T, error)) {
	if m.val.raw[0] == 'n' {
		*dst = nil
		return
	}
	v, err := parse(m.val.raw)
	if err != nil {
		o.fail(err)
		return
	}
	*dst = &v
}

// decodeObjectList is a []T field where *T has an UnmarshalJSON: each element,
// null included, is T's to judge.
func decodeObjectList[T any](o *strictObject, m wireMember, dst *[]T, parse func([]byte) (T, error)) {
	switch m.val.raw[0] {
	case 'n':
		*dst = nil
		return
	case '[':
	default:
		o.mismatch(m.val, m.name, reflect.TypeFor[[]T]())
		return
	}
	var list []T
	for it := arrayElements(m.val); ; {
		v, ok := it.next()
		if !ok {
			break
		}
		item, err := parse(v.raw)
		if err != nil {
			o.fail(err)
			return
		}
		list = append(list, item)
	}
	if list == nil {
		list = []T{}
	}
	*dst = list
}

// decodeText is a T field where *T has an UnmarshalText (and no
// UnmarshalJSON): a string is T's to judge, null leaves it alone.
func decodeText[T any](o *strictObject, m wireMember, dst *T, parse func(string) (T, error)) {
	switch m.val.raw[0] {
	case '"':
		s, err := unquote(m.val.raw)
		if err != nil {
			o.fail(err)
			return
		}
		v, err := parse(s)
		if err != nil {
			o.fail(err)
			return
		}
		*dst = v
	case 'n':
	default:
		o.mismatch(m.val, m.name, reflect.TypeFor[T]())
	}
}
