package protocol

import (
	"crypto/sha256"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestContextDigest(t *testing.T) {
	var d ContextDigest
	assert.True(t, d.Digest().IsZero())
	assert.Equal(t, uint64(0), d.Count())

	m1, m2 := SHA256([]byte("m1")), SHA256([]byte("m2"))
	d.Add(m1)
	d.Add(m2)
	d1 := sha256.Sum256(append(make([]byte, 32), m1[:]...))
	d2 := sha256.Sum256(append(d1[:], m2[:]...))
	assert.Equal(t, Hash(d2), d.Digest())
	assert.Equal(t, uint64(2), d.Count())

	raw := mustJSON(t, d)
	assert.JSONEq(t, `{"digest":"`+d.Digest().String()+`","count":2}`, string(raw))
	var back ContextDigest
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, d, back)

	_, err := RestoreContextDigest(m1, 0)
	assert.ErrorIs(t, err, ErrInvalidDigest)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"digest":"`+m1.String()+`"}`), &back), ErrInvalidDigest)
}

func TestNamespaceDigest(t *testing.T) {
	c1, c2 := BroadcastContext("ns", "a"), BroadcastContext("ns", "b")
	var d1, d2 ContextDigest
	d1.Add(SHA256([]byte("x")))
	d2.Add(SHA256([]byte("y")))

	both, err := NamespaceDigest(map[Hash]ContextDigest{c1: d1, c2: d2})
	require.NoError(t, err)
	withEmpty, err := NamespaceDigest(map[Hash]ContextDigest{c1: d1, c2: d2, BroadcastContext("ns", "c"): {}})
	require.NoError(t, err)
	assert.Equal(t, both, withEmpty, "an empty context must not change the digest")

	one, err := NamespaceDigest(map[Hash]ContextDigest{c1: d1})
	require.NoError(t, err)
	assert.NotEqual(t, both, one)

	none, err := NamespaceDigest(nil)
	require.NoError(t, err)
	assert.Equal(t, SHA256([]byte("[]")), none)

	_, err = NamespaceDigest(map[Hash]ContextDigest{c1: {digest: d1.digest, count: MaxSafeInteger + 1}})
	assert.ErrorIs(t, err, ErrInvalidDigest)
}
