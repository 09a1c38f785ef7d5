package query

import (
	"errors"
	"fmt"
	"strings"
)

// Type is the type of a filterable field. It decides which operators a filter
// on the field may use and the Go type of the values it carries (see the
// package documentation).
type Type int

// The field types.
const (
	String     Type = iota + 1 // text, compared byte by byte
	Int                        // int64
	Time                       // an instant; time.Time in UTC
	UUID                       // [16]byte
	Hash                       // [32]byte (a SHA-256), written as 64 hex digits
	Bool                       // bool
	Enum                       // one of the field's fixed strings
	StringList                 // several strings; a condition holds if any element matches
)

var typeNames = map[Type]string{
	String: "string", Int: "int", Time: "time", UUID: "uuid",
	Hash: "hash", Bool: "bool", Enum: "enum", StringList: "string list",
}

func (t Type) String() string {
	if n, ok := typeNames[t]; ok {
		return n
	}
	return fmt.Sprintf("Type(%d)", int(t))
}

func (t Type) withArticle() string {
	if t == Int || t == Enum {
		return "an " + t.String()
	}
	return "a " + t.String()
}

// ops lists the operators a filter on a field of type t may use, in the
// order error messages name them.
func (t Type) ops() []Op {
	switch t {
	case String:
		return []Op{Eq, Gt, Gte, Lt, Lte, Contains, StartsWith, EndsWith, In}
	case StringList, Hash:
		return []Op{Eq, Contains, StartsWith, EndsWith, In}
	case Int, Time:
		return []Op{Eq, Gt, Gte, Lt, Lte, In}
	default: // UUID, Bool, Enum
		return []Op{Eq, In}
	}
}

// foldable reports whether the case-insensitive modifier applies to t.
func (t Type) foldable() bool { return t == String || t == StringList }

// Field is one filterable column of a collection.
type Field struct {
	Name string
	Type Type
	// Enum is the set of values of an Enum field (and empty for any other
	// type).
	Enum []string
	// Sortable fields may be named in sort=. A StringList is never sortable.
	Sortable bool
}

// SortKey orders results by one field, ascending unless Desc.
type SortKey struct {
	Field string
	Desc  bool
}

// Reserved query parameters: a collection may not declare fields with these
// names.
const (
	ParamSort  = "sort"
	ParamSkip  = "skip"
	ParamLimit = "limit"
	ParamCount = "count"
)

func reserved(name string) bool {
	switch name {
	case ParamSort, ParamSkip, ParamLimit, ParamCount:
		return true
	}
	return false
}

// Collection is the schema of one queryable collection: its fields, the
// field that identifies a row (the final sort tie-breaker) and the order used
// when a request names none. Build one with NewCollection; the zero
// Collection cannot be queried.
type Collection struct {
	name        string
	key         string
	fields      []Field
	byName      map[string]int
	defaultSort []SortKey
}

// NewCollection checks a collection's schema: field names are unique, made of
// ASCII letters, digits, '_' and '.', start with a letter and are not
// reserved; every type is known; an Enum field has a non-empty set of
// distinct, non-empty values without commas, and no other field has one; a
// StringList is not sortable; key names a sortable field whose values are
// unique and never null (the caller's promise: it is what makes every sort
// total); defaultSort names distinct sortable fields. Its errors are
// programming errors, not ErrInvalid.
func NewCollection(name, key string, fields []Field, defaultSort []SortKey) (Collection, error) {
	c := Collection{name: name, key: key, byName: make(map[string]int, len(fields))}
	if name == "" {
		return Collection{}, errors.New("query: collection without a name")
	}
	if len(fields) == 0 {
		return Collection{}, fmt.Errorf("query: collection %q has no fields", name)
	}
	for i, f := range fields {
		if err := checkField(f); err != nil {
			return Collection{}, fmt.Errorf("query: collection %q: %w", name, err)
		}
		if _, dup := c.byName[f.Name]; dup {
			return Collection{}, fmt.Errorf("query: collection %q: field %q declared twice", name, f.Name)
		}
		c.byName[f.Name] = i
		f.Enum = append([]string(nil), f.Enum...)
		c.fields = append(c.fields, f)
	}
	kf, ok := c.Field(key)
	if !ok || !kf.Sortable {
		return Collection{}, fmt.Errorf("query: collection %q: key %q is not a sortable field", name, key)
	}
	seen := map[string]bool{}
	for _, k := range defaultSort {
		f, ok := c.Field(k.Field)
		if !ok || !f.Sortable || seen[k.Field] {
			return Collection{}, fmt.Errorf("query: collection %q: default sort on %q: not a sortable field, or named twice", name, k.Field)
		}
		seen[k.Field] = true
	}
	c.defaultSort = append([]SortKey(nil), defaultSort...)
	return c, nil
}

func checkField(f Field) error {
	if !validName(f.Name) || reserved(f.Name) {
		return fmt.Errorf("field name %q is empty, reserved or not of the form [A-Za-z][A-Za-z0-9_.]*", f.Name)
	}
	if _, ok := typeNames[f.Type]; !ok {
		return fmt.Errorf("field %q has unknown type %d", f.Name, int(f.Type))
	}
	if f.Type == StringList && f.Sortable {
		return fmt.Errorf("field %q: a string list cannot be sortable", f.Name)
	}
	if f.Type != Enum {
		if len(f.Enum) > 0 {
			return fmt.Errorf("field %q: only an enum field has enum values", f.Name)
		}
		return nil
	}
	if len(f.Enum) == 0 {
		return fmt.Errorf("enum field %q has no values", f.Name)
	}
	seen := map[string]bool{}
	for _, e := range f.Enum {
		if e == "" || strings.Contains(e, ",") || seen[e] {
			return fmt.Errorf("enum field %q: value %q is empty, holds a comma or is repeated", f.Name, e)
		}
		seen[e] = true
	}
	return nil
}

func validName(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		b := s[i]
		if !isLetter(b) && (b < '0' || b > '9') && b != '_' && b != '.' {
			return false
		}
	}
	return true
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }

// Name is the collection's name.
func (c Collection) Name() string { return c.name }

// Key is the name of the field that identifies a row.
func (c Collection) Key() string { return c.key }

// Fields returns the fields in declaration order (a copy).
func (c Collection) Fields() []Field { return append([]Field(nil), c.fields...) }

// DefaultSort returns the order used when a request has no sort parameter
// (a copy; the key tie-breaker is not included).
func (c Collection) DefaultSort() []SortKey { return append([]SortKey(nil), c.defaultSort...) }

// Field looks a field up by name.
func (c Collection) Field(name string) (Field, bool) {
	i, ok := c.byName[name]
	if !ok {
		return Field{}, false
	}
	return c.fields[i], true
}

func (c Collection) fieldNames(sortableOnly bool) string {
	var names []string
	for _, f := range c.fields {
		if f.Sortable || !sortableOnly {
			names = append(names, f.Name)
		}
	}
	return strings.Join(names, ", ")
}
