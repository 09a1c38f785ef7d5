package postgres

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/jackc/pgx/v5/pgtype"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// Column storage, per field type (see doc.go). Every encoding keeps the
// order of the values, so SQL's comparisons and sorts are the reference's.
func sqlType(t query.Type) string {
	switch t {
	case query.String, query.Hash:
		return "bytea"
	case query.Enum:
		return `text COLLATE "C"`
	case query.Int, query.Time:
		return "bigint"
	case query.UUID:
		return "uuid"
	case query.Bool:
		return "boolean"
	case query.StringList:
		return "bytea[]"
	}
	return "bytea"
}

// The instants a Time column can hold: Unix nanoseconds in a bigint, from
// 1677-09-21 to 2262-04-11 (timestamptz has microseconds only, and the
// reference tells times a nanosecond apart).
var (
	minStoredTime = time.Unix(0, math.MinInt64).UTC()
	maxStoredTime = time.Unix(0, math.MaxInt64).UTC()
)

var errTimeRange = errors.New("time outside the years 1678-2262, which a read model stores")

// encodeValue turns a row or key value into the value pgx sends for its
// column, nil for NULL. It accepts what query.Collection.CheckRow accepts
// (named types, pointers).
func encodeValue(t query.Type, v any) (any, error) {
	v, ok := normalize(v)
	if !ok {
		return nil, nil
	}
	switch t {
	case query.String:
		if s, ok := v.(string); ok {
			return []byte(s), nil
		}
	case query.Enum:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case query.Int:
		if n, ok := v.(int64); ok {
			return n, nil
		}
	case query.Time:
		if tm, ok := v.(time.Time); ok {
			if tm.Before(minStoredTime) || tm.After(maxStoredTime) {
				return nil, fmt.Errorf("%s: %w", tm.Format(time.RFC3339Nano), errTimeRange)
			}
			return tm.UnixNano(), nil
		}
	case query.UUID:
		if u, ok := v.([16]byte); ok {
			return pgtype.UUID{Bytes: u, Valid: true}, nil
		}
	case query.Hash:
		if h, ok := v.([32]byte); ok {
			return h[:], nil
		}
	case query.Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case query.StringList:
		if l, ok := v.([]string); ok {
			out := make([][]byte, len(l))
			for i, s := range l {
				out[i] = []byte(s)
			}
			return out, nil
		}
	}
	return nil, fmt.Errorf("%T is not a value of type %s", v, t)
}

// keyOf is a comparable form of an encoded key, for the transaction's map
// of pending rows.
func keyOf(v any) any {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case pgtype.UUID:
		return v.Bytes
	}
	return v
}

// normalize brings a value to one of string, int64, time.Time, [16]byte,
// [32]byte, bool and []string with package query's rules (named types,
// pointers, any signed integer); false means NULL or a value of no such
// type. A nil list is NULL here: the column stores no list at all, and an
// empty list is '{}'.
func normalize(v any) (any, bool) {
	if l, ok := v.([]string); ok && l == nil {
		return nil, false
	}
	return query.Normalize(v)
}
