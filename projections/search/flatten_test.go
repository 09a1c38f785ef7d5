package search_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/ledgermirror/ledgermirror/projections/search"
)

func TestFlattenJSON(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"string", `"hello world"`, "hello world"},
		{"number as written", `120.50`, "120.50"},
		{"exponent as written", `1e3`, "1e3"},
		{"object values in order, no keys", `{"customer":"Acme Ltd","amount":120.50,"paid":true,"note":null}`, "Acme Ltd\n120.50"},
		{"nested", `{"a":{"b":["x",{"c":"y"},[1,2]]},"d":"z"}`, "x\ny\n1\n2\nz"},
		{"key equal to a value", `{"name":"name"}`, "name"},
		{"value after nested object", `{"o":{"k":"v"},"next":"w"}`, "v\nw"},
		{"empty containers", `{"a":{},"b":[],"c":"x"}`, "x"},
		{"empty strings left out", `["", "a", ""]`, "a"},
		{"escapes decoded", `"caf\u00e9 \"q\""`, `café "q"`},
		{"literals only", `[true,false,null]`, ""},
		{"invalid: leaves before the error", `{"a":"x","b":`, "x"},
		{"not JSON", `hello`, ""},
		{"empty", ``, ""},
		{"unicode", `{"city":"München","jp":"東京タワー"}`, "München\n東京タワー"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, search.FlattenJSON([]byte(tc.in)))
		})
	}
}

func FuzzFlattenJSON(f *testing.F) {
	for _, s := range []string{`{"a":"x","b":[1,"y",{"c":true}]}`, `"s"`, `1.5e3`, `{"a":`, `[[[]]]`, "\"\xff\""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := search.FlattenJSON(raw)
		if !utf8.ValidString(out) {
			t.Fatalf("output is not UTF-8: %q", out)
		}
		if again := search.FlattenJSON(raw); again != out {
			t.Fatalf("not deterministic: %q then %q", out, again)
		}
		// For valid JSON, every string leaf that is not a key is in the
		// output, and no key that is not also a leaf is.
		var v any
		if json.Unmarshal(raw, &v) != nil {
			return
		}
		leaves := map[string]bool{}
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				leaves[v] = true
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for _, e := range v {
					walk(e)
				}
			}
		}
		walk(v)
		for leaf := range leaves {
			if !strings.Contains(out, leaf) {
				t.Fatalf("leaf %q missing from %q", leaf, out)
			}
		}
	})
}
