package sqlite

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

func compileParams(t *testing.T, params string) selection {
	t.Helper()
	tb, err := newTable(widgets)
	require.NoError(t, err)
	q, err := query.Parse(widgets.Collection(), mustValues(t, params))
	require.NoError(t, err)
	sel, err := tb.compile("ns", q)
	require.NoError(t, err)
	return sel
}

// TestCompile shows the translation, one operator at a time.
func TestCompile(t *testing.T) {
	cases := []struct {
		params, where string
		args          []any
	}{
		{"size=>3", `(t."size" > ?)`, []any{int64(3)}},
		{"size=!@1,2", `NOT (t."size" IN (?, ?))`, []any{int64(1), int64(2)}},
		{"name=%3F<=Ab", `(lower(t."name") <= ?)`, []any{"ab"}},
		{"name=:a%25", `(instr(CAST(t."name" AS BLOB), ?) > 0)`, []any{[]byte("a%")}},
		{"name=^ab", `(t."name" >= ? AND t."name" < ?)`, []any{"ab", "ac"}},
		{"name=$b", `(length(CAST(t."name" AS BLOB)) >= ? AND substr(CAST(t."name" AS BLOB), ?) = ?)`, []any{int64(1), int64(-1), []byte("b")}},
		{"ref=00000000-0000-0000-0000-0000000000AB", `(t."ref" = ?)`, []any{"00000000-0000-0000-0000-0000000000ab"}},
		{"sum=^AB", `(t."sum" >= ? AND t."sum" < ?)`, []any{"ab", "ac"}},
		{"ok=true", `(t."ok" = ?)`, []any{int64(1)}},
		{"at=<1000-01-01T00:00:00Z", `(t."at" <> t."at")`, nil},
		{"at=!>1000-01-01T00:00:00Z", `NOT (t."at" = t."at")`, nil},
		{"at=1970-01-01T00:00:01Z", `(t."at" = ?)`, []any{int64(time.Second)}},
		{"tags=x", `((instr(CAST(t."tags" AS BLOB), ?) > 0) AND EXISTS (SELECT 1 FROM json_each(t."tags") AS j WHERE j.value = ?))`,
			[]any{[]byte(`"x"`), "x"}},
		{"tags=!%3F^X", `NOT ((instr(CAST(lower(t."tags") AS BLOB), ?) > 0) AND EXISTS (SELECT 1 FROM json_each(t."tags") AS j WHERE lower(j.value) >= ? AND lower(j.value) < ?))`,
			[]any{[]byte(`"x`), "x", "y"}},
	}
	for _, c := range cases {
		sel := compileParams(t, c.params)
		assert.Equal(t, ` FROM "widgets" AS t WHERE t."namespace" = ? AND (`+c.where+`)`, strings.TrimPrefix(sel.countSQL, "SELECT count(*)"), c.params)
		assert.Equal(t, append([]any{"ns"}, c.args...), sel.whereArgs, c.params)
	}

	sel := compileParams(t, "kind=a&kind=b&size=1&sort=-size,at&skip=5&limit=7")
	assert.Equal(t, `SELECT t."doc" FROM "widgets" AS t WHERE t."namespace" = ? AND ((t."size" = ?)) AND ((t."kind" = ?) OR (t."kind" = ?))`+
		` ORDER BY t."size" DESC, t."at" ASC, t."name" ASC LIMIT ? OFFSET ?`, sel.pageSQL)
	assert.Equal(t, []any{"ns", int64(1), "a", "b", int64(7), int64(5)}, sel.pageArgs)
}

// TestValuesNeverReachTheSQLText: whatever a value holds, the SQL text is
// made of declared names and fixed words only.
func TestValuesNeverReachTheSQLText(t *testing.T) {
	evil := `x'); DROP TABLE widgets; --`
	for _, op := range []string{"", "=", ">", ":", "^", "$", "@", "!?:"} {
		list := op
		if op == ">" {
			list = "="
		}
		sel := compileParams(t, "name="+url.QueryEscape(op+evil)+"&tags="+url.QueryEscape(list+`a"b`))
		assert.NotContains(t, sel.pageSQL, "DROP", op)
		assert.NotContains(t, sel.pageSQL, `a"b`, op)
	}
}

func TestCompileRefusesWhatParseCannotProduce(t *testing.T) {
	tb, err := newTable(widgets)
	require.NoError(t, err)
	size, _ := widgets.Collection().Field("size")
	tags, _ := widgets.Collection().Field("tags")
	foreign := query.Field{Name: "colour", Type: query.String}
	for name, q := range map[string]query.Query{
		"a field of another table":    {Where: [][]query.Condition{{{Field: foreign, Op: query.Eq, Values: []any{"x"}}}}},
		"a field with another type":   {Where: [][]query.Condition{{{Field: query.Field{Name: "size", Type: query.String}, Op: query.Eq, Values: []any{"x"}}}}},
		"an operator of another type": {Where: [][]query.Condition{{{Field: size, Op: query.Contains, Values: []any{"1"}}}}},
		"folding an int":              {Where: [][]query.Condition{{{Field: size, Op: query.Eq, Fold: true, Values: []any{int64(1)}}}}},
		"a value of another type":     {Where: [][]query.Condition{{{Field: size, Op: query.Eq, Values: []any{"1"}}}}},
		"a pattern with two values":   {Where: [][]query.Condition{{{Field: tags, Op: query.Contains, Values: []any{"a", "b"}}}}},
		"sorting by a list":           {Sort: []query.SortKey{{Field: "tags"}}},
		"sorting by a stranger":       {Sort: []query.SortKey{{Field: "colour"}}},
	} {
		_, err := tb.compile("ns", q)
		assert.Error(t, err, name)
	}
}

func TestPrefixEnd(t *testing.T) {
	for p, want := range map[string]string{"a": "b", "ab": "ac", "a\xff": "b", "a\xff\xff": "b", "\xfe\xff": "\xff", "é": "\xc3\xaa"} {
		got, ok := prefixEnd(p)
		assert.True(t, ok, p)
		assert.Equal(t, want, got, "%q", p)
	}
	_, ok := prefixEnd("\xff\xff")
	assert.False(t, ok)
}

// TestFindOnAHandBuiltQuery: a query Parse would not build (no sort, no
// limit, an empty group) still gets a stable answer.
func TestFindOnAHandBuiltQuery(t *testing.T) {
	s := open(t, testPath(t), widgets)
	commitRows(t, s, widgets, widget("b"), widget("a"), widget("c"))
	docs, _, err := s.Find(ctx(t), widgets, "ns", query.Query{})
	require.NoError(t, err)
	assert.Len(t, docs, 3, "no limit: every row")
	assert.JSONEq(t, `{"name":"a"}`, string(docs[0]), "ordered by the key")
	docs, _, err = s.Find(ctx(t), widgets, "ns", query.Query{Where: [][]query.Condition{{}}})
	require.NoError(t, err)
	assert.Empty(t, docs, "an empty OR holds for no row")
	_, _, err = s.Find(ctx(t), projections.MessagesTable, "ns", query.Query{})
	assert.ErrorContains(t, err, "not given to Open")
}
