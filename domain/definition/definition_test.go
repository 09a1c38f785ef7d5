package definition_test

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/definition"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

func TestRoundTrip(t *testing.T) {
	org, err := protocol.NewOrgDID("acme")
	require.NoError(t, err)
	node, err := protocol.NewNodeDID(org, "node1")
	require.NoError(t, err)
	key, err := protocol.ParseSigningKey("0x00112233445566778899aabbccddeeff00112233")
	require.NoError(t, err)
	ref, err := protocol.NewDatatypeRef("invoice", "1.0")
	require.NoError(t, err)
	for _, d := range []definition.Definition{
		{Org: &definition.Org{Org: org, Key: key}},
		{Node: &definition.Node{Node: node, Endpoint: "https://acme.example/dx", TransportKey: "-----BEGIN PUBLIC KEY-----"}},
		{Datatype: &definition.Datatype{Ref: ref, Schema: json.RawMessage(`{"type":"object"}`)}},
	} {
		v, err := d.Value()
		require.NoError(t, err)
		back, err := definition.Parse(v)
		require.NoError(t, err, "%s", v)
		assert.Equal(t, d, back)
		assert.Equal(t, d.Kind(), back.Kind())
	}
}

func TestParseRejects(t *testing.T) {
	for name, value := range map[string]string{
		"not json":            `{`,
		"array":               `[]`,
		"unknown kind":        `{"kind":"token"}`,
		"unknown member":      `{"kind":"org","org":"did:lm:org/a","key":"0x00112233445566778899aabbccddeeff00112233","x":1}`,
		"org without key":     `{"kind":"org","org":"did:lm:org/a"}`,
		"org with endpoint":   `{"kind":"org","org":"did:lm:org/a","key":"0x00112233445566778899aabbccddeeff00112233","endpoint":"http://x"}`,
		"bad org DID":         `{"kind":"org","org":"org/a","key":"0x00112233445566778899aabbccddeeff00112233"}`,
		"node without node":   `{"kind":"node","endpoint":"http://x"}`,
		"node bad endpoint":   `{"kind":"node","node":"did:lm:node/a/n","endpoint":"ftp://x"}`,
		"node relative":       `{"kind":"node","node":"did:lm:node/a/n","endpoint":"/dx"}`,
		"datatype no schema":  `{"kind":"datatype","name":"invoice","version":"1"}`,
		"datatype bad schema": `{"kind":"datatype","name":"invoice","version":"1","schema":{"type":7}}`,
		"datatype remote ref": `{"kind":"datatype","name":"invoice","version":"1","schema":{"$ref":"https://example.com/s.json"}}`,
		"datatype not object": `{"kind":"datatype","name":"invoice","version":"1","schema":true}`,
		"trailing":            `{"kind":"org","org":"did:lm:org/a","key":"0x00112233445566778899aabbccddeeff00112233"} {}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := definition.Parse([]byte(value))
			require.Error(t, err)
			assert.True(t, errors.Is(err, definition.ErrInvalidDefinition), "%v", err)
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"kind":"org","org":"did:lm:org/a","key":"0x00112233445566778899aabbccddeeff00112233"}`))
	f.Add([]byte(`{"kind":"node","node":"did:lm:node/a/n","endpoint":"http://127.0.0.1:5100","transportKey":"k"}`))
	f.Add([]byte(`{"kind":"datatype","name":"invoice","version":"1","schema":{"type":"object","properties":{"a":{"$ref":"#/$defs/x"}},"$defs":{"x":{"type":"string"}}}}`))
	f.Fuzz(func(t *testing.T, value []byte) {
		d, err := definition.Parse(value)
		if err != nil {
			if !errors.Is(err, definition.ErrInvalidDefinition) {
				t.Fatalf("error does not wrap ErrInvalidDefinition: %v", err)
			}
			return
		}
		// A parsed definition re-encodes to something that parses the same.
		v, err := d.Value()
		if err != nil {
			t.Fatalf("parsed definition does not encode: %v", err)
		}
		back, err := definition.Parse(v)
		if err != nil || back.Kind() != d.Kind() {
			t.Fatalf("round trip: %v %v", back, err)
		}
	})
}
