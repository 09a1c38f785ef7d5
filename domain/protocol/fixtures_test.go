package protocol

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"
)

// Builders for valid values; tests change one thing at a time.

var fixedTime = time.Date(2026, 1, 2, 3, 4, 5, 123456789, time.UTC)

func mustOrg(t testing.TB, name string) OrgDID {
	t.Helper()
	d, err := NewOrgDID(name)
	require.NoError(t, err)
	return d
}

func mustNode(t testing.TB, org OrgDID, name string) NodeDID {
	t.Helper()
	d, err := NewNodeDID(org, name)
	require.NoError(t, err)
	return d
}

func mustKey(t testing.TB, s string) SigningKey {
	t.Helper()
	k, err := ParseSigningKey(s)
	require.NoError(t, err)
	return k
}

func testKey(t testing.TB) SigningKey {
	return mustKey(t, "0x1234567890abcdef1234567890abcdef12345678")
}

func mustData(t testing.TB, value string) Data {
	t.Helper()
	d, err := NewData(DataFields{ID: uuid.New(), Value: json.RawMessage(value)})
	require.NoError(t, err)
	return d
}

func broadcastFields(t testing.TB) MessageHeaderFields {
	t.Helper()
	return MessageHeaderFields{ID: uuid.New(), Type: MessageTypeBroadcast, TxType: TxTypeBatchPin,
		Author: mustOrg(t, "acme"), Key: testKey(t), Created: fixedTime, Namespace: "default"}
}

func privateFields(t testing.TB, group Hash) MessageHeaderFields {
	t.Helper()
	f := broadcastFields(t)
	f.Type = MessageTypePrivate
	f.Group = &group
	return f
}

func mustMessage(t testing.TB, f MessageHeaderFields, data ...Data) Message {
	t.Helper()
	refs := make([]DataRef, len(data))
	for i, d := range data {
		refs[i] = d.Ref()
	}
	m, err := BuildMessage(f, refs)
	require.NoError(t, err)
	return m
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
