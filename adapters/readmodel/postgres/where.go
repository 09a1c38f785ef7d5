package postgres

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ledgermirror/ledgermirror/projections/query"
)

// sqlBuilder writes a WHERE clause and collects its parameters.
type sqlBuilder struct {
	t    *table
	sql  strings.Builder
	args []any
}

// param adds a parameter and returns its placeholder, cast to typ so that
// the server never has to guess (position() and the comparisons exist for
// text and bytea alike).
func (b *sqlBuilder) param(v any, typ string) string {
	b.args = append(b.args, v)
	return "$" + strconv.Itoa(len(b.args)) + "::" + typ
}

// foldBytea is expr (a bytea) with ASCII A-Z mapped to a-z and every other
// byte kept, the reference's folding: encode(.., 'escape') writes the bytes
// as text in which only ASCII letters are letters (high bytes and NUL
// become octal escapes, a backslash doubles), translate maps the letters,
// and decode reads the escapes back. lower() would need valid text and
// would fold non-ASCII letters by the locale.
func foldBytea(expr string) string {
	return "decode(translate(encode(" + expr + ", 'escape'), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz'), 'escape')"
}

// condition writes one condition. On a scalar column the condition is NULL
// (so no match, negated or not) when the column is NULL, which is SQL's own
// rule for NOT (col = ?) and the reference semantics; every expression below
// keeps it, including the ones standing for "always" and "never" ("x = x",
// "x <> x"). On a string list the condition is never NULL: an overlap (&&)
// or an EXISTS over the elements, coalesced to false, and the negation is
// its NOT: a NULL or empty list has no element that matches.
func (b *sqlBuilder) condition(c query.Condition) error {
	i, ok := b.t.byName[c.Field.Name]
	if !ok {
		return errors.New("not a field of the table")
	}
	col := b.t.cols[i]
	if c.Field.Type != col.typ {
		return fmt.Errorf("the query says %s, the table %s", c.Field.Type, col.typ)
	}
	if !takes(col.typ, c.Op) {
		return fmt.Errorf("a %s field does not take %s", col.typ, c.Op)
	}
	if c.Fold && col.typ != query.String && col.typ != query.StringList {
		return fmt.Errorf("a %s field is not case-insensitive", col.typ)
	}
	expr := "t." + col.ident
	if c.Not {
		b.sql.WriteString("NOT ")
	}
	if col.typ != query.StringList {
		b.sql.WriteString("(")
		if err := b.test(expr, col.typ, c); err != nil {
			return err
		}
		b.sql.WriteString(")")
		return nil
	}
	if (c.Op == query.Eq || c.Op == query.In) && !c.Fold {
		// The GIN index of the column serves an overlap.
		vals := make([][]byte, 0, len(c.Values))
		for _, v := range c.Values {
			s, ok := v.(string)
			if !ok {
				return fmt.Errorf("list value %T is not a string", v)
			}
			vals = append(vals, []byte(s))
		}
		b.sql.WriteString("coalesce(" + expr + " && " + b.param(vals, "bytea[]") + ", false)")
		return nil
	}
	b.sql.WriteString("EXISTS (SELECT 1 FROM unnest(" + expr + ") AS j(v) WHERE ")
	if err := b.test("j.v", query.String, c); err != nil {
		return err
	}
	b.sql.WriteString(")")
	return nil
}

// takes reports whether a field of type t takes op (package query's table).
func takes(t query.Type, op query.Op) bool {
	switch op {
	case query.Eq, query.In:
		return true
	case query.Gt, query.Gte, query.Lt, query.Lte:
		return t == query.String || t == query.Int || t == query.Time
	case query.Contains, query.StartsWith, query.EndsWith:
		return t == query.String || t == query.StringList || t == query.Hash
	}
	return false
}

// test writes c's operator, not negated, applied to expr (a column, or the
// element of a list) whose values are of type typ.
func (b *sqlBuilder) test(expr string, typ query.Type, c query.Condition) error {
	if c.Fold {
		expr = foldBytea(expr)
	}
	always, never := expr+" = "+expr, expr+" <> "+expr
	switch c.Op {
	case query.Contains, query.StartsWith, query.EndsWith:
		if typ == query.Hash {
			return b.hashPattern(expr, c)
		}
		return b.pattern(expr, c, always)
	case query.Eq, query.In:
		var marks []string
		for _, v := range c.Values {
			sv, side, err := b.value(typ, c.Fold, v)
			if err != nil {
				return err
			}
			if side == 0 { // a time no column can hold equals no row
				marks = append(marks, b.param(sv, castOf(typ)))
			}
		}
		switch len(marks) {
		case 0:
			b.sql.WriteString(never)
		case 1:
			b.sql.WriteString(expr + " = " + marks[0])
		default:
			b.sql.WriteString(expr + " IN (" + strings.Join(marks, ", ") + ")")
		}
		return nil
	}
	sym := map[query.Op]string{query.Gt: " > ", query.Gte: " >= ", query.Lt: " < ", query.Lte: " <= "}[c.Op]
	up := c.Op == query.Gt || c.Op == query.Gte
	if len(c.Values) == 0 {
		b.sql.WriteString(never)
	}
	for i, v := range c.Values {
		if i > 0 {
			b.sql.WriteString(" OR ")
		}
		sv, side, err := b.value(typ, c.Fold, v)
		if err != nil {
			return err
		}
		switch {
		case side == 0:
			b.sql.WriteString(expr + sym + b.param(sv, castOf(typ)))
		case (side < 0) == up: // every stored time is after (before) it
			b.sql.WriteString(always)
		default:
			b.sql.WriteString(never)
		}
	}
	return nil
}

// castOf is the SQL type of a parameter compared with a column of type t.
func castOf(t query.Type) string {
	if t == query.Enum {
		return "text"
	}
	return strings.TrimSuffix(sqlType(t), "[]")
}

// pattern writes contains, starts with and ends with on a bytea: they
// compare bytes, as the reference does, and take the operand literally (no
// LIKE, so % and _ are never special). A prefix is a range of the column,
// which an index serves.
func (b *sqlBuilder) pattern(expr string, c query.Condition, always string) error {
	p, err := patternOperand(c)
	if err != nil {
		return err
	}
	if p == "" {
		b.sql.WriteString(always)
		return nil
	}
	switch c.Op {
	case query.Contains:
		b.sql.WriteString("position(" + b.param([]byte(p), "bytea") + " in " + expr + ") > 0")
	case query.StartsWith:
		lo := b.param([]byte(p), "bytea")
		if end, ok := prefixEnd(p); ok {
			b.sql.WriteString(expr + " >= " + lo + " AND " + expr + " < " + b.param([]byte(end), "bytea"))
		} else {
			b.sql.WriteString(expr + " >= " + lo)
		}
	default:
		n := b.param(int32(len(p)), "integer") //nolint:gosec // a filter operand, far below 2 GiB
		b.sql.WriteString("length(" + expr + ") >= " + n + " AND substr(" + expr + ", length(" + expr + ") - " + n +
			" + 1) = " + b.param([]byte(p), "bytea"))
	}
	return nil
}

// hashPattern writes a pattern on a hash's lower-case hex digits (the
// fragment arrives lower-cased, and is hex digits only).
func (b *sqlBuilder) hashPattern(expr string, c query.Condition) error {
	p, err := patternOperand(c)
	if err != nil {
		return err
	}
	hexExpr := "encode(" + expr + ", 'hex')"
	if p == "" {
		b.sql.WriteString(hexExpr + " = " + hexExpr)
		return nil
	}
	switch c.Op {
	case query.Contains:
		b.sql.WriteString("strpos(" + hexExpr + ", " + b.param(p, "text") + ") > 0")
	case query.StartsWith:
		b.sql.WriteString("starts_with(" + hexExpr + ", " + b.param(p, "text") + ")")
	default:
		b.sql.WriteString("right(" + hexExpr + ", " + b.param(int32(len(p)), "integer") + ") = " + b.param(p, "text")) //nolint:gosec // at most 64
	}
	return nil
}

func patternOperand(c query.Condition) (string, error) {
	if len(c.Values) != 1 {
		return "", errors.New("a pattern takes one value")
	}
	p, ok := c.Values[0].(string)
	if !ok {
		return "", fmt.Errorf("pattern %T is not a string", c.Values[0])
	}
	if c.Fold {
		p = asciiLower(p)
	}
	return p, nil
}

// prefixEnd is the least string greater than every string that begins with
// p: p without its trailing 0xff bytes, with the last byte incremented.
// There is none when p is all 0xff.
func prefixEnd(p string) (string, bool) {
	b := []byte(p)
	for i := len(b) - 1; i >= 0; i-- {
		if b[i] != 0xff {
			b[i]++
			return string(b[:i+1]), true
		}
	}
	return "", false
}

// value encodes a condition's value for a column of type typ. side is -1 or
// +1 for a time before or after every time a column can hold (query allows
// the years 0000-9999; columns hold 1678-2262), when the value is not used.
func (b *sqlBuilder) value(typ query.Type, fold bool, v any) (any, int, error) {
	if tm, ok := v.(time.Time); ok && typ == query.Time {
		switch {
		case tm.Before(minStoredTime):
			return nil, -1, nil
		case tm.After(maxStoredTime):
			return nil, 1, nil
		}
	}
	if s, ok := v.(string); ok && fold {
		v = asciiLower(s)
	}
	sv, err := encodeValue(typ, v)
	if err == nil && sv == nil {
		err = errors.New("a NULL value")
	}
	return sv, 0, err
}

// asciiLower maps A-Z to a-z and leaves every other byte alone, as package
// query folds.
func asciiLower(s string) string {
	i := strings.IndexFunc(s, func(r rune) bool { return r >= 'A' && r <= 'Z' })
	if i < 0 {
		return s
	}
	bs := []byte(s)
	for ; i < len(bs); i++ {
		if bs[i] >= 'A' && bs[i] <= 'Z' {
			bs[i] += 'a' - 'A'
		}
	}
	return string(bs)
}
