package jsonappend

import (
	"encoding/json"
	"math/rand"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pieces are what generated strings are made of: some need escaping
// (quotes, controls, HTML, U+2028, invalid UTF-8), some do not.
var pieces = []string{"a", "Zz09", " ", "-_.:/", "\"", "\\", "<", ">", "&", "\n", "\t", "\b", "\f", "\r",
	"\x00", "\x1f", "\x7f", "é", "€", "\u2028", "\u2029", "\xff", "\xe2\x80", "\xe2\x80\xa8", "😀", "\xed\xa0\x80"}

func randomString(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.Intn(8) {
		b.WriteString(pieces[rng.Intn(len(pieces))])
	}
	return b.String()
}

// randomJSON makes a valid JSON value, now and then spaced out or holding
// what compacting escapes.
func randomJSON(rng *rand.Rand, depth int) string {
	sp := func() string { return []string{"", "", "", " ", "\n\t", "\r\n  "}[rng.Intn(6)] }
	switch n := rng.Intn(7); {
	case depth > 2 || n == 0:
		if rng.Intn(2) == 0 {
			// Unescaped, as a client may send them: HTML characters, U+2028,
			// invalid UTF-8 (which encoding/json's scanner lets through).
			return `"` + []string{"<b>", "a&b", "x\u2028y", "x\u2029", "tab\\tq", "plain", "\xff", "€"}[rng.Intn(8)] + `"`
		}
		s, err := json.Marshal(randomString(rng))
		if err != nil {
			panic(err)
		}
		return string(s)
	case n == 1:
		return []string{"0", "-12", "1.5e3", "-0.25", "9007199254740993"}[rng.Intn(5)]
	case n == 2:
		return []string{"true", "false", "null"}[rng.Intn(3)]
	case n <= 4:
		var parts []string
		for range rng.Intn(4) {
			parts = append(parts, sp()+randomJSON(rng, depth+1)+sp())
		}
		return "[" + strings.Join(parts, ",") + "]"
	default:
		var parts []string
		for range rng.Intn(4) {
			key, _ := json.Marshal(randomString(rng))
			parts = append(parts, sp()+string(key)+sp()+":"+sp()+randomJSON(rng, depth+1))
		}
		return "{" + strings.Join(parts, ",") + sp() + "}"
	}
}

func TestStringIsEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for range 20000 {
		s := randomString(rng)
		assertSameString(t, s)
	}
	for c := range 256 {
		assertSameString(t, string([]byte{byte(c)}))
	}
}

func assertSameString(t *testing.T, s string) {
	t.Helper()
	want, err := json.Marshal(s)
	require.NoError(t, err)
	assert.Equal(t, string(want), string(String([]byte("x"), s)[1:]), "%q", s)
}

func TestStringsIsEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	lists := [][]string{nil, {}, {""}}
	for range 500 {
		var l []string
		for range rng.Intn(4) {
			l = append(l, randomString(rng))
		}
		lists = append(lists, l)
	}
	for _, l := range lists {
		want, err := json.Marshal(l)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(Strings(nil, l)), "%q", l)
	}
}

func TestRawIsEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	raws := [][]byte{nil, {}, []byte(" "), []byte("{"), []byte(`{"a":1}x`), []byte(`"\u2028"`), []byte("\"\xe2\x80\xa8\""),
		[]byte(`{"a" : 1}`), []byte(`"<>&"`), []byte("\"\xe2\x80\""), []byte("\"a\xe2\""), []byte("1 ")}
	for range 5000 {
		raws = append(raws, []byte(randomJSON(rng, 0)))
	}
	for _, raw := range raws {
		want, wantErr := json.Marshal(json.RawMessage(raw))
		got, err := Raw([]byte("x"), raw)
		if wantErr != nil {
			assert.Error(t, err, "%q", raw)
			continue
		}
		require.NoError(t, err, "%q", raw)
		assert.Equal(t, string(want), string(got[1:]), "%q", raw)
		if json.Valid(raw) {
			got, err = ValidRaw(nil, raw)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got), "%q", raw)
		}
	}
}

func TestRawListIsEncodingJSONs(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	lists := [][]json.RawMessage{nil, {}, {nil}, {json.RawMessage("{")}, {json.RawMessage("1"), json.RawMessage("")}}
	for range 1000 {
		var l []json.RawMessage
		for range 1 + rng.Intn(3) {
			l = append(l, json.RawMessage(randomJSON(rng, 0)))
		}
		lists = append(lists, l)
	}
	for _, l := range lists {
		want, wantErr := json.Marshal(l)
		got, err := RawList(nil, l)
		if wantErr != nil {
			assert.Error(t, err, "%q", l)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), "%q", l)
	}
}

// TestIsCompact checks IsCompact against its definition: compacting with
// HTML escapes changes nothing.
func TestIsCompact(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	for range 5000 {
		raw := []byte(randomJSON(rng, 0))
		out, err := json.Marshal(json.RawMessage(raw))
		require.NoError(t, err)
		assert.Equal(t, string(out) == string(raw), IsCompact(raw), "%q", raw)
	}
	assert.True(t, IsCompact([]byte(`{"a b":"c\"d e"}`)), "spaces inside strings stay")
	assert.False(t, IsCompact([]byte(`{"a":"\"", "b":1}`)), "a space after an escaped quote's string")
	assert.True(t, IsCompact([]byte(`"€\u2028"`)), "other characters starting with 0xE2, and the escaped form")
}

func FuzzString(f *testing.F) {
	for _, p := range pieces {
		f.Add(p)
	}
	f.Add("a<b>&c\u2028d\u2029\xff\"\\\x00")
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := String(nil, s); string(got) != string(want) {
			t.Fatalf("String(%q) = %s, encoding/json writes %s", s, got, want)
		}
	})
}

func FuzzRaw(f *testing.F) {
	for _, s := range []string{`{"a":[1,2,{"b":"<x>"}]}`, "{ }", `"\u2028"`, "\"\xe2\x80\xa9\"", "null", "", "[1,", "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		want, wantErr := json.Marshal(json.RawMessage(raw))
		got, err := Raw(nil, raw)
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("Raw(%q): error %v, encoding/json's %v", raw, err, wantErr)
		}
		if err == nil && string(got) != string(want) {
			t.Fatalf("Raw(%q) = %s, encoding/json writes %s", raw, got, want)
		}
	})
}

func TestUUIDIsEncodingJSONs(t *testing.T) {
	for _, id := range []uuid.UUID{uuid.Nil, uuid.New(), uuid.Max} {
		want, err := json.Marshal(id)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(UUID(nil, id)))
	}
}
