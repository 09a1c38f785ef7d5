package protocol

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Round trips through JSON, as every value makes through the event store.

func assertDataRoundTrip(t *testing.T, d Data) {
	t.Helper()
	raw, err := json.Marshal(d)
	require.NoError(t, err)
	back, err := UnmarshalData(raw)
	require.NoError(t, err)
	assert.Equal(t, d, back)
}

func assertMessageRoundTrip(t *testing.T, m Message) {
	t.Helper()
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	back, err := UnmarshalMessage(raw)
	require.NoError(t, err)
	assert.Equal(t, m.Hash(), back.Hash())
	assert.Equal(t, m.Data(), back.Data())
	assert.Equal(t, m.Header().Created(), back.Header().Created())
}

func assertGroupRoundTrip(t *testing.T, g Group) {
	t.Helper()
	raw, err := json.Marshal(g)
	require.NoError(t, err)
	back, err := UnmarshalGroup(raw)
	require.NoError(t, err)
	assert.Equal(t, g, back)
}

func assertManifestRoundTrip(t *testing.T, m Manifest) {
	t.Helper()
	raw, err := json.Marshal(m)
	require.NoError(t, err)
	back, err := UnmarshalManifest(raw)
	require.NoError(t, err)
	assert.Equal(t, m, back)
}
