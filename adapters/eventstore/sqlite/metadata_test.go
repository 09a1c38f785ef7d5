package sqlite

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

func TestMetadataCodec(t *testing.T) {
	cases := []event.Metadata{
		{},
		{CorrelationID: "c0ffee00-0000-4000-8000-000000000001"},
		{CorrelationID: "a", CausationID: "b", Node: "did:lm:org/org1/node1", Namespace: "default"},
		{Namespace: "ns"},
		{Node: `quote " and backslash \`},
		{CausationID: "tab\tnewline\ncontrol\x01"},
		{Namespace: "ünïcödé ✓ <&>"},
		{Node: "invalid utf-8 \xff"},
	}
	for _, m := range cases {
		enc := encodeMetadata(m)
		if m == (event.Metadata{}) {
			assert.Empty(t, enc, "empty metadata is stored as NULL")
			continue
		}
		require.True(t, json.Valid([]byte(enc)), enc)
		var ref event.Metadata
		require.NoError(t, json.Unmarshal([]byte(enc), &ref))
		got, err := decodeMetadata([]byte(enc))
		require.NoError(t, err)
		assert.Equal(t, ref, got, "decoding agrees with encoding/json for %q", enc)
		if m.Node != "invalid utf-8 \xff" {
			assert.Equal(t, m, got, "round trip of %q", enc)
		}
	}
}

func TestMetadataFastPathMatchesEncodingJSON(t *testing.T) {
	m := event.Metadata{CorrelationID: "c", CausationID: "d", Node: "n", Namespace: "s"}
	ref, err := json.Marshal(m)
	require.NoError(t, err)
	assert.Equal(t, string(ref), encodeMetadata(m))
}

func TestDecodeMetadataFallsBack(t *testing.T) {
	for _, in := range []string{
		`{"node":"a\"b"}`,
		`{ "node" : "spaced" }`,
		`{"node":"n","future":"field"}`,
		`{"namespace":"x","node":"y"}`,
	} {
		var ref event.Metadata
		require.NoError(t, json.Unmarshal([]byte(in), &ref))
		got, err := decodeMetadata([]byte(in))
		require.NoError(t, err, in)
		assert.Equal(t, ref, got, in)
	}
	_, err := decodeMetadata([]byte(`{"node":`))
	assert.Error(t, err)
}

func FuzzMetadataDecode(f *testing.F) {
	for _, s := range []string{`{}`, `{"node":"n"}`, `{"correlationId":"c","causationId":"d","node":"n","namespace":"s"}`, `{"node":"a\\b"}`, `{"node":"x",}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var ref event.Metadata
		refErr := json.Unmarshal(in, &ref)
		got, err := decodeMetadata(in) // must not panic, whatever the input
		if refErr == nil {
			require.NoError(t, err)
			assert.Equal(t, ref, got)
		}
	})
}
