package jsonscan

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestWalkReportsLeavesInOrder(t *testing.T) {
	for _, tc := range []struct {
		doc    string
		ok     bool
		leaves []string // kind letter and raw bytes
	}{
		{doc: `"a"`, ok: true, leaves: []string{`s"a"`}},
		{doc: ` -1.5e3 `, ok: true, leaves: []string{`n-1.5e3`}},
		{doc: `{"k":"v","n":[1,"x\u00e9",{"":""}],"t":true,"f":false,"z":null}`, ok: true,
			leaves: []string{`s"v"`, `n1`, `s"x\u00e9"`, `s""`}},
		{doc: `[]`, ok: true},
		{doc: `{"k":1,"k2":}`, ok: false, leaves: []string{`n1`}},
		{doc: `["a",01]`, ok: false, leaves: []string{`s"a"`, `n0`}}, // 0, then 1 where a comma belongs
		{doc: `"a" "b"`, ok: false, leaves: []string{`s"a"`}},
	} {
		var got []string
		ok := Walk([]byte(tc.doc), MaxDepth, func(kind Kind, raw []byte) {
			got = append(got, map[Kind]string{String: "s", Number: "n"}[kind]+string(raw))
		})
		assert.Equal(t, tc.ok, ok, "%s", tc.doc)
		assert.Equal(t, tc.leaves, got, "%s", tc.doc)
	}
}

func TestWalkDepthLimit(t *testing.T) {
	nested := func(n int) []byte {
		return []byte(strings.Repeat(`[{"k":`, n) + "1" + strings.Repeat("}]", n))
	}
	assert.True(t, Walk(nested(5), 10, nil), "10 levels")
	assert.False(t, Walk(nested(6), 11, nil), "12 levels")
	assert.True(t, Walk([]byte(`1`), 0, nil), "a leaf has no depth")
	assert.False(t, Walk([]byte(`[]`), 0, nil))
}
