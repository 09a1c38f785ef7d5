package query

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Limits on a request.
const (
	DefaultLimit = 25   // limit when the request has none
	MaxLimit     = 1000 // the largest limit a request may ask for
	MaxValues    = 1000 // the most filter values one request may carry
)

// Op is a condition's comparison.
type Op int

// The operators, with the prefix that writes each one.
const (
	Eq         Op = iota + 1 // "=" (or no operator)
	Gt                       // ">"
	Gte                      // ">="
	Lt                       // "<"
	Lte                      // "<="
	Contains                 // ":" or "~"
	StartsWith               // "^"
	EndsWith                 // "$"
	In                       // "@", values separated by commas
)

var opSymbols = map[Op]string{
	Eq: "=", Gt: ">", Gte: ">=", Lt: "<", Lte: "<=",
	Contains: ":", StartsWith: "^", EndsWith: "$", In: "@",
}

var opNames = map[Op]string{
	Eq: "equals", Gt: "greater than", Gte: "greater than or equal", Lt: "less than",
	Lte: "less than or equal", Contains: "contains", StartsWith: "starts with",
	EndsWith: "ends with", In: "in list",
}

// String is the operator's prefix symbol.
func (o Op) String() string {
	if s, ok := opSymbols[o]; ok {
		return s
	}
	return fmt.Sprintf("Op(%d)", int(o))
}

// pattern reports whether o matches part of a string.
func (o Op) pattern() bool { return o == Contains || o == StartsWith || o == EndsWith }

// Condition is one filter: Field Op Values, negated when Not, ASCII
// case-insensitive when Fold. Values has one element except for In, where it
// has one or more; their Go types are listed in the package documentation.
// When Fold is set the string values are already lower-cased.
type Condition struct {
	Field  Field
	Op     Op
	Not    bool
	Fold   bool
	Values []any
}

// Query is a validated collection request, independent of any SQL dialect.
type Query struct {
	// Where is an AND of ORs: a row matches when, for every group, at least
	// one of the group's conditions holds. A group holds the conditions of one
	// field, in the order the request gave them; groups follow the
	// collection's field order.
	Where [][]Condition
	// Sort is total: it always ends with the collection's key.
	Sort  []SortKey
	Skip  int
	Limit int
	// Count asks for the number of matching rows as well as the page.
	Count bool
}

// Parse validates the query parameters of a request on collection c. Every
// parameter must be a field of c or a reserved parameter; the caller removes
// any other parameter it handles itself before calling Parse. Refusals are
// *Error values naming the parameter, matching ErrInvalid. When several
// parameters are wrong, the first in byte order of their names is reported.
func Parse(c Collection, v url.Values) (Query, error) {
	if c.byName == nil {
		return Query{}, errors.New("query: Parse needs a Collection built by NewCollection")
	}
	q := Query{Limit: DefaultLimit}
	groups := make([][]Condition, len(c.fields))
	values := 0
	names := make([]string, 0, len(v))
	for name := range v {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		vals := v[name]
		if len(vals) == 0 {
			continue
		}
		var err error
		switch name {
		case ParamSort:
			q.Sort, err = parseSort(c, vals)
		case ParamSkip:
			q.Skip, err = parseInt(name, vals, 0, -1)
		case ParamLimit:
			q.Limit, err = parseInt(name, vals, 1, MaxLimit)
		case ParamCount:
			q.Count, err = parseCount(vals)
		default:
			i, ok := c.byName[name]
			if !ok {
				return Query{}, invalid(name, "unknown field (filterable fields: %s)", c.fieldNames(false))
			}
			groups[i], err = parseGroup(c.fields[i], vals, &values)
		}
		if err != nil {
			return Query{}, err
		}
	}
	for _, g := range groups {
		if len(g) > 0 {
			q.Where = append(q.Where, g)
		}
	}
	q.Sort = totalOrder(c, q.Sort)
	return q, nil
}

// parseGroup reads the conditions of one field, adding the number of their
// values to *values and refusing them if it passes MaxValues.
func parseGroup(f Field, vals []string, values *int) ([]Condition, error) {
	group := make([]Condition, 0, len(vals))
	for _, raw := range vals {
		cond, err := parseCondition(f, raw)
		if err != nil {
			return nil, err
		}
		if *values += len(cond.Values); *values > MaxValues {
			return nil, invalid(f.Name, "too many values: a query may carry at most %d", MaxValues)
		}
		group = append(group, cond)
	}
	return group, nil
}

// parseCondition reads one filter value: [!][?][operator]operand.
func parseCondition(f Field, raw string) (Condition, error) {
	c := Condition{Field: f}
	s := raw
	if strings.HasPrefix(s, "!") {
		c.Not, s = true, s[1:]
	}
	if strings.HasPrefix(s, "?") {
		c.Fold, s = true, s[1:]
	}
	op, n := operatorPrefix(s)
	s = s[n:]
	if n == 0 && (strings.HasPrefix(s, "!") || strings.HasPrefix(s, "?")) {
		return Condition{}, invalid(f.Name, "%q: modifiers come first and in the order ! then ?; "+
			"to match a value that begins with %q, write \"=\" before it", raw, s[:1])
	}
	c.Op = op
	if !slices.Contains(f.Type.ops(), op) {
		var allowed []string
		for _, o := range f.Type.ops() {
			allowed = append(allowed, o.String())
		}
		return Condition{}, invalid(f.Name, "%q: %s field does not support %q (%s); its operators are %s",
			raw, f.Type.withArticle(), op.String(), opNames[op], strings.Join(allowed, " "))
	}
	if c.Fold && !f.Type.foldable() {
		return Condition{}, invalid(f.Name, "%q: case-insensitive matching (?) applies to string fields only, not to %s field", raw, f.Type.withArticle())
	}
	if op.pattern() && s == "" {
		return Condition{}, invalid(f.Name, "%q: %s what? The pattern is empty", raw, opNames[op])
	}
	items := []string{s}
	if op == In {
		items = strings.Split(s, ",")
	}
	for _, item := range items {
		val, want := parseValue(f, op, c.Fold, item)
		if want != "" {
			if op == In {
				return Condition{}, invalid(f.Name, "%q: item %q is not %s", raw, item, want)
			}
			return Condition{}, invalid(f.Name, "%q is not %s", raw, want)
		}
		c.Values = append(c.Values, val)
	}
	return c, nil
}

// operatorPrefix finds the operator at the start of s and its length; with
// none, it is Eq of length 0.
func operatorPrefix(s string) (Op, int) {
	if strings.HasPrefix(s, ">=") {
		return Gte, 2
	}
	if strings.HasPrefix(s, "<=") {
		return Lte, 2
	}
	if s == "" {
		return Eq, 0
	}
	switch s[0] {
	case '=':
		return Eq, 1
	case '>':
		return Gt, 1
	case '<':
		return Lt, 1
	case ':', '~':
		return Contains, 1
	case '^':
		return StartsWith, 1
	case '$':
		return EndsWith, 1
	case '@':
		return In, 1
	}
	return Eq, 0
}

// parseInt reads skip or limit: one decimal integer in [lo, hi] (hi < 0: no
// upper bound).
func parseInt(name string, vals []string, lo, hi int) (int, error) {
	if len(vals) > 1 {
		return 0, invalid(name, "given %d times; give it once", len(vals))
	}
	n, err := strconv.Atoi(vals[0])
	if err != nil || n < lo || hi >= 0 && n > hi {
		if hi < 0 {
			return 0, invalid(name, "%q is not an integer of at least %d", vals[0], lo)
		}
		return 0, invalid(name, "%q is not an integer from %d to %d", vals[0], lo, hi)
	}
	return n, nil
}

func parseCount(vals []string) (bool, error) {
	if len(vals) > 1 {
		return false, invalid(ParamCount, "given %d times; give it once", len(vals))
	}
	switch vals[0] {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, invalid(ParamCount, "%q is not true or false", vals[0])
}

// parseSort reads every sort parameter: "a,-b", repeated or not.
func parseSort(c Collection, params []string) ([]SortKey, error) {
	var keys []SortKey
	seen := map[string]bool{}
	for _, p := range params {
		for item := range strings.SplitSeq(p, ",") {
			k := SortKey{Field: strings.TrimPrefix(item, "-")}
			k.Desc = len(k.Field) < len(item)
			f, ok := c.Field(k.Field)
			switch {
			case k.Field == "":
				return nil, invalid(ParamSort, "%q: empty field name; write field or -field, separated by commas", p)
			case !ok || !f.Sortable:
				return nil, invalid(ParamSort, "%q is not a sortable field (sortable: %s)", k.Field, c.fieldNames(true))
			case seen[k.Field]:
				return nil, invalid(ParamSort, "%q is named more than once", k.Field)
			}
			seen[k.Field] = true
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// totalOrder falls back to the collection's default sort and appends the key
// as the final tie-breaker, in the direction of the last key, so that
// inverting every direction of a sort exactly reverses its order.
func totalOrder(c Collection, keys []SortKey) []SortKey {
	if len(keys) == 0 {
		keys = c.DefaultSort()
	}
	if slices.ContainsFunc(keys, func(k SortKey) bool { return k.Field == c.key }) {
		return keys
	}
	desc := len(keys) > 0 && keys[len(keys)-1].Desc
	return append(keys, SortKey{Field: c.key, Desc: desc})
}
