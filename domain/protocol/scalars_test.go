package protocol

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseHash(t *testing.T) {
	good := strings.Repeat("0123456789abcdef", 4)
	h, err := ParseHash(good)
	require.NoError(t, err)
	assert.Equal(t, good, h.String())
	assert.False(t, h.IsZero())

	for _, bad := range []string{"", "0x" + good[2:], strings.ToUpper(good), good[:63], good + "0", strings.Repeat("g", 64)} {
		_, err := ParseHash(bad)
		assert.ErrorIs(t, err, ErrInvalidHash, bad)
	}
}

func TestHashJSON(t *testing.T) {
	h := SHA256([]byte("abc"))
	raw := mustJSON(t, h)
	assert.Equal(t, `"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`, string(raw))
	var back Hash
	require.NoError(t, json.Unmarshal(raw, &back))
	assert.Equal(t, h, back)
	assert.ErrorIs(t, json.Unmarshal([]byte(`null`), &back), ErrInvalidHash)
	assert.ErrorIs(t, json.Unmarshal([]byte(`"ABC"`), &back), ErrInvalidHash)

	// As a map key (text form).
	raw = mustJSON(t, map[Hash]int{h: 1})
	assert.Equal(t, `{"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad":1}`, string(raw))
}

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"a", "A", "0", "acme", "org.B", "a-b_c.d", strings.Repeat("x", 64)} {
		assert.NoError(t, ValidateName(ok), ok)
	}
	for _, bad := range []string{"", ".a", "-a", "_a", "a b", "a/b", "é", "a\x00", strings.Repeat("x", 65), "a:b"} {
		assert.ErrorIs(t, ValidateName(bad), ErrInvalidName, bad)
	}
}

func TestValidateTopic(t *testing.T) {
	for _, ok := range []string{"default", "café ☕", "a/b:c", " ", strings.Repeat("é", 32)} {
		assert.NoError(t, ValidateTopic(ok), ok)
	}
	for _, bad := range []string{"", "a\x00b", "tab\t", "del\x7f", "c1\u0085", "\xff", strings.Repeat("x", 65)} {
		assert.ErrorIs(t, ValidateTopic(bad), ErrInvalidTopic, bad)
	}
}

func TestIdentities(t *testing.T) {
	org, err := ParseOrgDID("did:lm:org/acme")
	require.NoError(t, err)
	assert.Equal(t, "acme", org.Name())
	assert.Equal(t, "did:lm:org/acme", org.String())

	node, err := ParseNodeDID("did:lm:node/acme/node-1")
	require.NoError(t, err)
	assert.Equal(t, org, node.Org())
	assert.Equal(t, "node-1", node.Name())
	assert.Equal(t, "did:lm:node/acme/node-1", node.String())

	for _, bad := range []string{"", "did:lm:org/", "did:lm:org/a/b", "DID:lm:org/a", "did:lm:node/a/b", "did:lm:org/ a"} {
		_, err := ParseOrgDID(bad)
		assert.ErrorIs(t, err, ErrInvalidIdentity, bad)
	}
	for _, bad := range []string{"", "did:lm:node/acme", "did:lm:node/acme/", "did:lm:node//n", "did:lm:node/a/b/c", "did:lm:org/acme"} {
		_, err := ParseNodeDID(bad)
		assert.ErrorIs(t, err, ErrInvalidIdentity, bad)
	}
	_, err = NewNodeDID(OrgDID{}, "n")
	assert.ErrorIs(t, err, ErrInvalidIdentity)
}

func TestIdentityJSON(t *testing.T) {
	org := mustOrg(t, "acme")
	node := mustNode(t, org, "n1")
	raw := mustJSON(t, struct {
		O OrgDID  `json:"o"`
		N NodeDID `json:"n"`
	}{org, node})
	assert.Equal(t, `{"o":"did:lm:org/acme","n":"did:lm:node/acme/n1"}`, string(raw))

	_, err := json.Marshal(OrgDID{})
	assert.ErrorIs(t, err, ErrInvalidIdentity)
	var back OrgDID
	assert.ErrorIs(t, json.Unmarshal([]byte(`"did:lm:org/"`), &back), ErrInvalidIdentity)
}

func TestSigningKey(t *testing.T) {
	k, err := ParseSigningKey("0xAbCdEf0123456789ABCDEF0123456789abcdef01")
	require.NoError(t, err)
	assert.Equal(t, "0xabcdef0123456789abcdef0123456789abcdef01", k.String())
	assert.Equal(t, `"0xabcdef0123456789abcdef0123456789abcdef01"`, string(mustJSON(t, k)))

	for _, bad := range []string{"", "abcdef0123456789abcdef0123456789abcdef01", "0X" + strings.Repeat("a", 40),
		"0x" + strings.Repeat("a", 39), "0x" + strings.Repeat("a", 41), "0x" + strings.Repeat("g", 40), "0x" + strings.Repeat("0", 40)} {
		_, err := ParseSigningKey(bad)
		assert.ErrorIs(t, err, ErrInvalidKey, bad)
	}
	_, err = NewSigningKey([SigningKeySize]byte{})
	assert.ErrorIs(t, err, ErrInvalidKey)
}

func TestTimestamp(t *testing.T) {
	cases := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC), "2026-01-02T03:04:05.123456789Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05.000000000Z"},
		{time.Date(2026, 1, 2, 3, 4, 5, 100000000, time.UTC), "2026-01-02T03:04:05.100000000Z"},
		{time.Date(2026, 1, 2, 5, 4, 5, 1, time.FixedZone("x", 2*3600)), "2026-01-02T03:04:05.000000001Z"},
		{time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC), "9999-12-31T23:59:59.999999999Z"},
	}
	for _, tc := range cases {
		ts, err := NewTimestamp(tc.in)
		require.NoError(t, err)
		assert.Equal(t, tc.want, ts.String())
		back, err := ParseTimestamp(tc.want)
		require.NoError(t, err)
		assert.True(t, tc.in.Equal(back.Time()))
	}

	for _, bad := range []time.Time{{}, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)} {
		_, err := NewTimestamp(bad)
		assert.ErrorIs(t, err, ErrInvalidTimestamp)
	}
	for _, bad := range []string{"2026-01-02T03:04:05Z", "2026-01-02T03:04:05.123Z", "2026-01-02T03:04:05.123456789+00:00",
		"2026-01-02t03:04:05.123456789Z", "2026-01-02T03:04:05.1234567890Z", "0001-01-01T00:00:00.000000000Z", "2026-02-30T00:00:00.000000000Z"} {
		_, err := ParseTimestamp(bad)
		assert.ErrorIs(t, err, ErrInvalidTimestamp, bad)
	}
}

func TestParseID(t *testing.T) {
	id := uuid.New()
	got, err := ParseID(id.String())
	require.NoError(t, err)
	assert.Equal(t, id, got)
	for _, bad := range []string{"", strings.ToUpper(id.String()), "{" + id.String() + "}", "urn:uuid:" + id.String(),
		strings.ReplaceAll(id.String(), "-", ""), uuid.Nil.String()} {
		_, err := ParseID(bad)
		assert.Error(t, err, bad)
	}
}
