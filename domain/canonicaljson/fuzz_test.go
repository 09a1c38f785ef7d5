package canonicaljson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func FuzzCanonicalize(f *testing.F) {
	for _, seed := range []string{
		`{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001]}`,
		`{"\u20ac":1,"\r":2,"\ufb33":3,"1":4,"\ud83d\ude00":5,"\u0080":6,"\u00f6":7}`,
		`"\u0000\b\t\n\f\r\u001f\"\\\/<>&\u2028"`,
		`[true,false,null,-0,1e21,1e-7,9007199254740993]`,
		`{"a":{"b":[{"c":"d"}]},"A":[]}`,
		`{"a":1,"a":2}`,
		`"\ud800"`,
		"\"\xff\"",
		`1e400`,
		` [ 1 , 2 ] `,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := Canonicalize(in)
		if verr := Validate(in); !reflect.DeepEqual(verr, err) {
			t.Fatalf("Validate says %v, Canonicalize %v", verr, err)
		}
		assertAppendStringIsMarshal(t, string(in))
		if err != nil {
			return
		}
		if !json.Valid(in) {
			t.Fatalf("accepted input encoding/json calls invalid: %q", in)
		}
		if !json.Valid(out) {
			t.Fatalf("output is not valid JSON: %q", out)
		}
		again, err := Canonicalize(out)
		if err != nil {
			t.Fatalf("canonical output rejected: %v (%q)", err, out)
		}
		if !bytes.Equal(again, out) {
			t.Fatalf("not idempotent:\n%q\n%q", out, again)
		}
		assertSameValue(t, in, out)
	})
}

// assertSameValue checks that in and out decode to the same Go value, so
// canonicalisation changed the spelling and never the meaning.
func assertSameValue(t *testing.T, in, out []byte) {
	var a, b any
	if err := json.Unmarshal(in, &a); err != nil {
		t.Fatalf("decode input: %v", err)
	}
	if err := json.Unmarshal(out, &b); err != nil {
		t.Fatalf("decode output: %v", err)
	}
	// reflect.DeepEqual compares numbers with ==, so -0 equals the 0 JCS writes.
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("value changed:\n%q\n%q", in, out)
	}
}

// assertAppendStringIsMarshal checks the writer protocol code uses for its own
// structures against encoding/json followed by Canonicalize.
func assertAppendStringIsMarshal(t *testing.T, s string) {
	want, err := Marshal(s)
	if err != nil {
		t.Fatalf("marshal %q: %v", s, err)
	}
	if got := AppendString(nil, s); !bytes.Equal(got, want) {
		t.Fatalf("AppendString(%q) = %q, want %q", s, got, want)
	}
}
