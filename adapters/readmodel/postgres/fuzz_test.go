package postgres

import (
	"net/url"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

func mustValues(t testing.TB, params string) url.Values {
	v, err := url.ParseQuery(params)
	require.NoError(t, err)
	return v
}

// FuzzCompile: every request Parse accepts compiles, and every value goes
// as a parameter. It needs no server.
func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		"author=%3F^ACME&sort=-created", "topics=!@a,b&count=true", "hash=^3fa9", "tag=:%25_'&skip=3",
		"created=>1714521600000&created=<0", "state=!@pending,rejected", "topics=%3F$X", "sequence=@1,2,3",
	} {
		f.Add(s)
	}
	tb, err := newTable(projections.MessagesTable)
	require.NoError(f, err)
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q, err := query.Parse(projections.MessagesTable.Collection(), v)
		if err != nil {
			return
		}
		sel, err := tb.compile("ns", q)
		require.NoError(t, err, raw)
		// Every value is a parameter: the placeholders are $1..$n for the n
		// arguments, each used at least once.
		used := map[int]bool{}
		for _, m := range placeholder.FindAllStringSubmatch(sel.pageSQL, -1) {
			n, _ := strconv.Atoi(m[1])
			used[n] = true
		}
		require.Len(t, used, len(sel.pageArgs), raw)
		for i := 1; i <= len(sel.pageArgs); i++ {
			require.True(t, used[i], "%s: $%d unused", raw, i)
		}
	})
}

var placeholder = regexp.MustCompile(`\$(\d+)::`)
