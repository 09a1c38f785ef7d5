package canonicaljson

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCanonicalizeRFC8785Example(t *testing.T) {
	// RFC 8785 section 3.2.2's input and its expected output.
	in := `{
  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`
	want := `{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`
	got, err := Canonicalize([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
}

func TestCanonicalizeSortsByUTF16CodeUnits(t *testing.T) {
	// RFC 8785 section 3.2.3's sorting example: U+1F600 (a surrogate pair,
	// 0xD83D...) sorts before U+FB33 in UTF-16 order, though not in code point
	// or UTF-8 order.
	in := `{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`
	want := "{" + strings.Join([]string{
		`"\r":"Carriage Return"`,
		`"1":"One"`,
		"\"\u0080\":\"Control\"",
		"\"\u00f6\":\"Latin Small Letter O With Diaeresis\"",
		"\"\u20ac\":\"Euro Sign\"",
		"\"\U0001F600\":\"Emoji: Grinning Face\"",
		"\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"",
	}, ",") + "}"
	got, err := Canonicalize([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, want, string(got))
}

func TestCanonicalize(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want string
	}{
		{"literals", " [ true , false , null ] ", `[true,false,null]`},
		{"empty containers", `{ "a" : [ ] , "b" : { } }`, `{"a":[],"b":{}}`},
		{"nested sort", `{"b":{"z":1,"a":2},"a":[{"y":1,"x":2}]}`, `{"a":[{"x":2,"y":1}],"b":{"a":2,"z":1}}`},
		{"short escapes", `"\b\t\n\f\r"`, `"\b\t\n\f\r"`},
		{"other controls lower-case hex", `"\u0000\u001F\u000b\u007f"`, "\"\\u0000\\u001f\\u000b\u007f\""},
		{"html not escaped", `"<>&\u003c\u003e\u0026"`, `"<>&<>&"`},
		{"line separators raw", `"\u2028\u2029"`, "\"\u2028\u2029\""},
		{"solidus unescaped", `"\/"`, `"/"`},
		{"non-ascii raw", `"\u00e9\u4e2d\ud83d\ude00"`, `"é中😀"`},
		{"raw utf8 kept", `"é中😀"`, `"é中😀"`},
		{"escaped key", `{"\u0061":1}`, `{"a":1}`},
		{"uppercase hex escape", `"\u00E9"`, `"é"`},
		{"noncharacter passes", `"\uffff"`, "\"\uffff\""},
		{"replacement char", `"\ufffd"`, "\"\ufffd\""},
		{"prefix key sorts first", `{"ab":1,"a":2}`, `{"a":2,"ab":1}`},
		{"surrounding whitespace", "\r\n\t 1 \n", `1`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Canonicalize([]byte(tc.in))
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got))
		})
	}
}

func TestCanonicalizeRejects(t *testing.T) {
	cases := []struct {
		name string
		in   string
	}{
		{"empty", ``},
		{"only space", `  `},
		{"trailing data", `{} {}`},
		{"trailing comma array", `[1,]`},
		{"trailing comma object", `{"a":1,}`},
		{"duplicate key", `{"a":1,"a":2}`},
		{"duplicate key after unescape", `{"a":1,"\u0061":2}`},
		{"duplicate nested key", `[{"x":{"k":1,"k":1}}]`},
		{"lone high surrogate", `"\ud800"`},
		{"lone high surrogate then char", `"\ud800x"`},
		{"high then high", `"\ud800\ud800"`},
		{"lone low surrogate", `"\udc00"`},
		{"invalid utf8", "\"\xff\""},
		{"utf8 encoded surrogate", "\"\xed\xa0\x80\""},
		{"overlong utf8", "\"\xc0\xaf\""},
		{"raw control char", "\"a\x01\""},
		{"raw newline", "\"a\nb\""},
		{"bad escape", `"\x"`},
		{"short unicode escape", `"\u12"`},
		{"bad hex", `"\u12g4"`},
		{"unterminated string", `"abc`},
		{"single quotes", `'a'`},
		{"unquoted key", `{a:1}`},
		{"missing colon", `{"a" 1}`},
		{"bare word", `nul`},
		{"capital literal", `True`},
		{"bom", "\xef\xbb\xbf{}"},
		{"too deep", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Canonicalize([]byte(tc.in))
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrInvalidJSON)
			var se *SyntaxError
			assert.True(t, errors.As(err, &se))
			assert.Equal(t, err, Validate([]byte(tc.in)))
		})
	}
}

func TestCanonicalizeAcceptsMaxDepth(t *testing.T) {
	in := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	got, err := Canonicalize([]byte(in))
	require.NoError(t, err)
	assert.Equal(t, in, string(got))
}

func TestMarshal(t *testing.T) {
	type inner struct {
		Z string  `json:"z"`
		A float64 `json:"a"`
	}
	v := map[string]any{
		"html":  "<b>&</b>",
		"inner": inner{Z: "\u2028", A: 4.5},
		"omit": struct {
			X string `json:"x,omitempty"`
		}{},
		"number": 1e21,
	}
	got, err := Marshal(v)
	require.NoError(t, err)
	assert.Equal(t, "{\"html\":\"<b>&</b>\",\"inner\":{\"a\":4.5,\"z\":\"\u2028\"},\"number\":1e+21,\"omit\":{}}", string(got))
}

func TestMarshalReportsUnsupportedValues(t *testing.T) {
	_, err := Marshal(map[string]any{"c": make(chan int)})
	assert.Error(t, err)
}
