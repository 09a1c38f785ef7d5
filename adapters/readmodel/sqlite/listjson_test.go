package sqlite

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var listCases = [][]string{
	{}, {""}, {"a", "b"}, {`"`, `\`, `\"`, "\\u0041"}, {"\x00", "\x01\x1f", "\x7f"}, {"é", "日本", "\xff", "a\xc3"},
	{"[", "]", ",", `","`}, {"tab\tnew\nline"},
}

// TestListsRoundTrip: what appendList writes, parseList and SQLite's
// json_each both read back byte for byte.
func TestListsRoundTrip(t *testing.T) {
	db, err := sql.Open("sqlite", ":memory:")
	require.NoError(t, err)
	defer func() { _ = db.Close() }()
	for _, l := range listCases {
		text := string(appendList(nil, l))
		got, err := parseList(text)
		require.NoError(t, err, text)
		assert.Equal(t, l, got, text)
		assert.Equal(t, l, jsonEach(t, db, text), "json_each(%s)", text)
	}
	for _, bad := range []string{"", "[", `["a"`, `["a",]`, `["\u0041"]`, `["\n"]`, `[1]`, `["a""b"]`, `["a"]x`} {
		_, err := parseList(bad)
		assert.ErrorIs(t, err, errListSyntax, bad)
	}
}

func jsonEach(t testing.TB, db *sql.DB, text string) []string {
	t.Helper()
	rows, err := db.Query("SELECT value FROM json_each(?)", text)
	require.NoError(t, err)
	defer func() { _ = rows.Close() }()
	out := []string{}
	for rows.Next() {
		var v []byte
		require.NoError(t, rows.Scan(&v))
		out = append(out, string(v))
	}
	require.NoError(t, rows.Err())
	return out
}

func FuzzListRoundTrip(f *testing.F) {
	for _, l := range listCases {
		for _, s := range l {
			f.Add(s, "x")
		}
	}
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = db.Close() })
	f.Fuzz(func(t *testing.T, a, b string) {
		l := []string{a, b}
		text := string(appendList(nil, l))
		got, err := parseList(text)
		require.NoError(t, err)
		require.Equal(t, l, got)
		require.Equal(t, l, jsonEach(t, db, text))
	})
}
