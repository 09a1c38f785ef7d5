package protocol

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestContextsAreRawConcatenations(t *testing.T) {
	group := SHA256([]byte("g"))
	author := mustOrg(t, "acme")
	raw := append([]byte("ns\x00topic"), group[:]...)
	assert.Equal(t, Hash(sha256.Sum256([]byte("ns\x00topic"))), BroadcastContext("ns", "topic"))
	assert.Equal(t, Hash(sha256.Sum256(raw)), PrivateContext("ns", "topic", group))
	withNonce := append(append(raw, "did:lm:org/acme"...), binary.BigEndian.AppendUint64(nil, 7)...)
	assert.Equal(t, Hash(sha256.Sum256(withNonce)), NoncePin("ns", "topic", group, author, 7))
	assert.NotEqual(t, NoncePin("ns", "topic", group, author, 0), NoncePin("ns", "topic", group, author, 1))
}

func TestBatchPinsBroadcast(t *testing.T) {
	b := newTestBatch(t, broadcastFields)
	pins, err := BatchPins(b.manifest, nil)
	require.NoError(t, err)
	m1, m2 := b.messages[0].ID(), b.messages[1].ID()
	want := []Pin{
		{MessageID: m1, Topic: "a", Context: BroadcastContext("default", "a"), Hash: BroadcastContext("default", "a")},
		{MessageID: m1, Topic: "b", Context: BroadcastContext("default", "b"), Hash: BroadcastContext("default", "b")},
		{MessageID: m2, Topic: "default", Context: BroadcastContext("default", "default"), Hash: BroadcastContext("default", "default")},
	}
	assert.Equal(t, want, pins)
	assert.Equal(t, []Hash{want[0].Hash, want[1].Hash, want[2].Hash}, PinHashes(pins))
}

// counter is a NonceSource over an in-memory map.
type counter map[Hash]uint64

func (c counter) NextNonce(ctx Hash, _ OrgDID) (uint64, error) {
	n := c[ctx]
	c[ctx] = n + 1
	return n, nil
}

func TestBatchPinsPrivate(t *testing.T) {
	group := SHA256([]byte("group"))
	b := newTestBatch(t, func(tb testing.TB) MessageHeaderFields {
		f := privateFields(tb, group)
		f.Topics = []string{"a"}
		return f
	})
	// Both messages have topic "a" (the first also "b"), so "a" uses nonces 5, 6.
	ctxA := PrivateContext("default", "a", group)
	nonces := counter{ctxA: 5}
	pins, err := BatchPins(b.manifest, nonces)
	require.NoError(t, err)
	require.Len(t, pins, 3)
	author := b.manifest.Author()
	assert.Equal(t, Pin{MessageID: b.messages[0].ID(), Topic: "a", Context: ctxA, Nonce: 5,
		Hash: NoncePin("default", "a", group, author, 5)}, pins[0])
	assert.Equal(t, uint64(0), pins[1].Nonce)
	assert.Equal(t, PrivateContext("default", "b", group), pins[1].Context)
	assert.Equal(t, uint64(6), pins[2].Nonce)
	assert.Equal(t, NoncePin("default", "a", group, author, 6), pins[2].Hash)
	assert.Equal(t, uint64(7), nonces[ctxA])
}

func TestBatchPinsErrors(t *testing.T) {
	group := SHA256([]byte("group"))
	b := newTestBatch(t, func(tb testing.TB) MessageHeaderFields { return privateFields(tb, group) })
	_, err := BatchPins(b.manifest, nil)
	assert.ErrorIs(t, err, ErrInvalidPin)

	boom := errors.New("store down")
	_, err = BatchPins(b.manifest, NonceSourceFunc(func(Hash, OrgDID) (uint64, error) { return 0, boom }))
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, err, ErrInvalidPin)

	_, err = BatchPins(Manifest{}, nil)
	assert.ErrorIs(t, err, ErrInvalidPin)
}
