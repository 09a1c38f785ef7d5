package query

import (
	"cmp"
	"encoding/hex"
	"slices"
	"strings"
	"time"
)

// Row is one row of a collection for the reference evaluator: field name to
// value. A missing field, nil or a nil pointer is NULL. Values have the Go
// types of the package documentation, or types with those underlying types
// (uuid.UUID for [16]byte, a named string for string, any signed integer for
// int64, pointers to any of them). Matches treats a value of the wrong type
// for its field as NULL; Compare, which does not know field types, treats a
// value of none of these types as NULL and orders values of different types
// by type. Collection.CheckRow catches mistyped rows, so that tests do not
// pass or fail for the wrong reason.
type Row = map[string]any

// Matches is the reference semantics of q.Where, which every adapter must
// reproduce: see the package documentation on NULL and string lists.
func (q Query) Matches(row Row) bool {
	for _, group := range q.Where {
		if !slices.ContainsFunc(group, func(c Condition) bool { return c.Matches(row) }) {
			return false
		}
	}
	return true
}

// Matches reports whether the condition holds for row. A condition on a NULL
// scalar never holds, negated or not. A string list that is NULL is empty; a
// condition on a list holds when some element matches, and its negation when
// none does.
func (c Condition) Matches(row Row) bool {
	v, ok := normalize(row[c.Field.Name])
	if c.Field.Type == StringList {
		list, _ := v.([]string)
		hit := slices.ContainsFunc(list, func(e string) bool { return c.test(e) })
		return hit != c.Not
	}
	if !ok || !hasType(c.Field.Type, v) {
		return false
	}
	return c.test(v) != c.Not
}

// test applies the operator, without negation, to one non-NULL value.
func (c Condition) test(v any) bool {
	if c.Fold {
		s, ok := v.(string)
		if !ok {
			return false
		}
		v = asciiLower(s)
	}
	if c.Op.pattern() {
		if h, ok := v.([32]byte); ok {
			v = hex.EncodeToString(h[:])
		}
		s, ok := v.(string)
		if !ok || len(c.Values) != 1 {
			return false
		}
		p, _ := c.Values[0].(string)
		if c.Fold {
			p = asciiLower(p)
		}
		switch c.Op {
		case Contains:
			return strings.Contains(s, p)
		case StartsWith:
			return strings.HasPrefix(s, p)
		default:
			return strings.HasSuffix(s, p)
		}
	}
	return slices.ContainsFunc(c.Values, func(want any) bool {
		if s, ok := want.(string); ok && c.Fold {
			want = asciiLower(s)
		}
		d, ok := compareValues(v, want)
		if !ok {
			return false
		}
		switch c.Op {
		case Eq, In:
			return d == 0
		case Gt:
			return d > 0
		case Gte:
			return d >= 0
		case Lt:
			return d < 0
		case Lte:
			return d <= 0
		}
		return false
	})
}

// compareValues orders two non-NULL values of the same Go type: strings,
// UUIDs and hashes byte by byte, times as instants, false before true.
func compareValues(a, b any) (int, bool) {
	switch a := a.(type) {
	case string:
		b, ok := b.(string)
		return strings.Compare(a, b), ok
	case int64:
		b, ok := b.(int64)
		return cmp.Compare(a, b), ok
	case time.Time:
		b, ok := b.(time.Time)
		return a.Compare(b), ok
	case [16]byte:
		b, ok := b.([16]byte)
		return slices.Compare(a[:], b[:]), ok
	case [32]byte:
		b, ok := b.([32]byte)
		return slices.Compare(a[:], b[:]), ok
	case bool:
		b, ok := b.(bool)
		return cmp.Compare(boolRank(a), boolRank(b)), ok
	}
	return 0, false
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Compare orders two rows by q.Sort. NULL comes before every value in
// ascending order and after every value in descending order (SQLite's rule;
// a PostgreSQL adapter writes NULLS FIRST / NULLS LAST).
func (q Query) Compare(a, b Row) int {
	for _, k := range q.Sort {
		d := compareCells(a[k.Field], b[k.Field])
		if k.Desc {
			d = -d
		}
		if d != 0 {
			return d
		}
	}
	return 0
}

// Less reports whether row a sorts before row b.
func (q Query) Less(a, b Row) bool { return q.Compare(a, b) < 0 }

func compareCells(a, b any) int {
	av, aok := normalize(a)
	bv, bok := normalize(b)
	if !aok || !bok {
		return cmp.Compare(boolRank(aok), boolRank(bok))
	}
	if d, ok := compareValues(av, bv); ok {
		return d
	}
	// Values of different types (a mistyped row): order by type so that the
	// order stays total.
	return cmp.Compare(typeRank(av), typeRank(bv))
}

func typeRank(v any) int {
	switch v.(type) {
	case bool:
		return 1
	case int64:
		return 2
	case time.Time:
		return 3
	case string:
		return 4
	case [16]byte:
		return 5
	case [32]byte:
		return 6
	}
	return 7
}

// Apply runs q over rows with the reference semantics: the rows that match,
// sorted, after skipping Skip and keeping at most Limit (all when Limit is 0
// or less), and how many matched in all.
func (q Query) Apply(rows []Row) (page []Row, total int) {
	var matched []Row
	for _, r := range rows {
		if q.Matches(r) {
			matched = append(matched, r)
		}
	}
	slices.SortStableFunc(matched, q.Compare)
	total = len(matched)
	if q.Skip >= total {
		return nil, total
	}
	page = matched[max(q.Skip, 0):]
	if q.Limit > 0 && len(page) > q.Limit {
		page = page[:q.Limit]
	}
	return page, total
}
