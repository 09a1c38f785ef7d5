package query

import (
	"fmt"
	"reflect"
	"slices"
	"time"
)

var (
	timeType = reflect.TypeFor[time.Time]()
	uuidType = reflect.TypeFor[[16]byte]()
	hashType = reflect.TypeFor[[32]byte]()
)

// normalize brings a row value to one of the evaluator's Go types: string,
// int64, time.Time (UTC), [16]byte, [32]byte, bool or []string. It reports
// false for NULL and for a value of no such type.
func normalize(v any) (any, bool) {
	switch v := v.(type) {
	case nil:
		return nil, false
	case string, int64, [16]byte, [32]byte, bool, []string:
		return v, true
	case time.Time:
		return v.UTC(), true
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return nil, false
		}
		rv = rv.Elem()
	}
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), true
	case reflect.Bool:
		return rv.Bool(), true
	case reflect.Array:
		switch {
		case rv.Type().ConvertibleTo(uuidType) && rv.Len() == 16:
			return rv.Convert(uuidType).Interface(), true
		case rv.Type().ConvertibleTo(hashType) && rv.Len() == 32:
			return rv.Convert(hashType).Interface(), true
		}
	case reflect.Slice:
		if rv.IsNil() {
			return nil, false
		}
		if rv.Type().Elem().Kind() == reflect.String {
			list := make([]string, rv.Len())
			for i := range list {
				list[i] = rv.Index(i).String()
			}
			return list, true
		}
	case reflect.Struct:
		if rv.Type().ConvertibleTo(timeType) {
			t, _ := rv.Convert(timeType).Interface().(time.Time)
			return t.UTC(), true
		}
	}
	return nil, false
}

// hasType reports whether a normalized value is of the Go type of field type t.
func hasType(t Type, v any) bool {
	switch v.(type) {
	case string:
		return t == String || t == Enum
	case int64:
		return t == Int
	case time.Time:
		return t == Time
	case [16]byte:
		return t == UUID
	case [32]byte:
		return t == Hash
	case bool:
		return t == Bool
	case []string:
		return t == StringList
	}
	return false
}

// CheckRow reports the first field of row (in declaration order) whose value
// the evaluator would not understand, and any key that is not a field. Tests
// call it on their fixtures so that a mistyped value, which Matches and
// Compare treat as NULL, is caught rather than silently unmatched. NULL is
// allowed anywhere but in the key.
func (c Collection) CheckRow(row Row) error {
	for name := range row {
		if _, ok := c.byName[name]; !ok {
			return fmt.Errorf("query: row has %q, which is not a field of %q", name, c.name)
		}
	}
	for _, f := range c.fields {
		raw, present := row[f.Name]
		v, ok := normalize(raw)
		switch {
		case !ok && f.Name == c.key:
			return fmt.Errorf("query: row has no value for the key %q", f.Name)
		case !ok && present && !isNull(raw):
			return fmt.Errorf("query: field %q: %T is not %s value", f.Name, raw, f.Type.withArticle())
		case ok && !hasType(f.Type, v):
			return fmt.Errorf("query: field %q: %T is not %s value", f.Name, raw, f.Type.withArticle())
		case ok && f.Type == Enum && !slices.Contains(f.Enum, v.(string)):
			return fmt.Errorf("query: field %q: %q is not one of its values", f.Name, v)
		}
	}
	return nil
}

// isNull reports whether v is one of the spellings of NULL: nil, or a nil
// pointer or slice, possibly behind pointers.
func isNull(v any) bool {
	rv := reflect.ValueOf(v)
	for rv.IsValid() && rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	return !rv.IsValid() || (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Slice) && rv.IsNil()
}

// Normalize brings a value to the Go type the evaluator uses for it
// (string, int64, time.Time in UTC, [16]byte, [32]byte, bool or []string),
// so stores can compare keys given as, say, uuid.UUID or [16]byte alike. It
// reports false for NULL and for a value of no such type.
func Normalize(v any) (any, bool) { return normalize(v) }
