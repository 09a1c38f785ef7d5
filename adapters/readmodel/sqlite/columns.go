package sqlite

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// Column storage, per field type (see doc.go):
//
//	String, Enum  TEXT     as is
//	Int           INTEGER
//	Time          INTEGER  Unix nanoseconds
//	UUID          TEXT     canonical lower-case 8-4-4-4-12
//	Hash          TEXT     64 lower-case hex digits
//	Bool          INTEGER  0 or 1
//	StringList    TEXT     a JSON array of strings (see listjson.go)
//
// Every encoding keeps the order of the values: text compares byte by byte,
// and the lower-case hex of UUIDs and hashes orders like their bytes.
func sqlType(t query.Type) string {
	switch t {
	case query.Int, query.Time, query.Bool:
		return "INTEGER"
	default:
		return "TEXT"
	}
}

// The instants a Time column can hold: Unix nanoseconds in an int64, from
// 1677-09-21 to 2262-04-11.
var (
	minStoredTime = time.Unix(0, math.MinInt64).UTC()
	maxStoredTime = time.Unix(0, math.MaxInt64).UTC()
)

var errTimeRange = errors.New("time outside the years 1678-2262, which a read model stores")

// encodeValue turns a row or key value into its column value, nil for NULL.
// It accepts what query.Collection.CheckRow accepts (named types, pointers).
func encodeValue(t query.Type, v any) (any, error) {
	v, ok := normalize(v)
	if !ok {
		return nil, nil
	}
	switch t {
	case query.String, query.Enum:
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
			return formatUUID(u), nil
		}
	case query.Hash:
		if h, ok := v.([32]byte); ok {
			return hex.EncodeToString(h[:]), nil
		}
	case query.Bool:
		if b, ok := v.(bool); ok {
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case query.StringList:
		if l, ok := v.([]string); ok {
			return string(appendList(nil, l)), nil
		}
	}
	return nil, fmt.Errorf("%T is not a value of type %s", v, t)
}

func formatUUID(u [16]byte) string { return uuid.UUID(u).String() }

func parseUUID(s string) ([16]byte, error) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, fmt.Errorf("stored uuid %q is malformed", s)
	}
	digits := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	if _, err := hex.Decode(u[:], []byte(digits)); err != nil {
		return u, fmt.Errorf("stored uuid %q: %w", s, err)
	}
	return u, nil
}

// normalize brings a value to one of string, int64, time.Time, [16]byte,
// [32]byte, bool and []string with package query's rules (named types,
// pointers, any signed integer); false means NULL or a value of no such
// type. A nil list is NULL here: the column stores no list at all.
func normalize(v any) (any, bool) {
	if l, ok := v.([]string); ok && l == nil {
		return nil, false
	}
	return query.Normalize(v)
}
