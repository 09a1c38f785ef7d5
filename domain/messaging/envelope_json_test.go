package messaging

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// Envelopes and BatchReceived ids were made with json.Marshal; the
// appenders must give the same bytes, or a batch recorded before and after
// an upgrade would get two ids, and peers would be sent other bytes.

// oddText holds what encoding/json escapes: quotes, controls, HTML
// characters, U+2028, invalid UTF-8.
var oddText = []string{"a", "Z9", " ", "\"", "\\", "<", ">", "&", "\n", "\x00", "é", "€", "\u2028", "\u2029", "\xff"}

func randomOddText(rng *rand.Rand) string {
	var b strings.Builder
	for range rng.IntN(5) {
		b.WriteString(oddText[rng.IntN(len(oddText))])
	}
	return b.String()
}

// randomValue is a data value, now and then with HTML characters or U+2028
// in its strings (kept raw by canonical JSON, escaped by encoding/json).
func randomValue(rng *rand.Rand, i int) string {
	s := []string{"plain", "<b>", "a&b", "x\u2028y", "€"}[rng.IntN(5)]
	return fmt.Sprintf(`{"n":%d,"s":%q,"list":[1,2,{"k":true}]}`, i, s)
}

func randomEnvelopeParts(t *testing.T, rng *rand.Rand) (protocol.Manifest, []protocol.Message, []protocol.Data, *protocol.Group) {
	org, err := protocol.NewOrgDID("org1")
	require.NoError(t, err)
	node, err := protocol.NewNodeDID(org, "node1")
	require.NoError(t, err)
	key, err := protocol.NewSigningKey([protocol.SigningKeySize]byte{1})
	require.NoError(t, err)
	var group *protocol.Group
	var groupHash *protocol.Hash
	typ := protocol.MessageTypeBroadcast
	if rng.IntN(2) == 0 {
		g, err := protocol.NewGroup("default", "g1", []protocol.Member{{Identity: org, Node: node}})
		require.NoError(t, err)
		h := g.Hash()
		group, groupHash, typ = &g, &h, protocol.MessageTypePrivate
	}
	var msgs []protocol.Message
	var data []protocol.Data
	for i := range 1 + rng.IntN(5) {
		var refs []protocol.DataRef
		for range rng.IntN(3) {
			d, err := protocol.NewData(protocol.DataFields{ID: uuid.New(), Value: json.RawMessage(randomValue(rng, i))})
			require.NoError(t, err)
			data, refs = append(data, d), append(refs, d.Ref())
		}
		tag := ""
		if rng.IntN(2) == 0 {
			tag = "<tag>&\u2028"
		}
		m, err := protocol.BuildMessage(protocol.MessageHeaderFields{ID: uuid.New(), Type: typ, TxType: protocol.TxTypeBatchPin,
			Author: org, Key: key, Created: time.Now(), Namespace: "default", Group: groupHash,
			Topics: []string{"t<1>", "é"}, Tag: tag}, refs)
		require.NoError(t, err)
		msgs = append(msgs, m)
	}
	manifest, err := protocol.BuildManifest(uuid.New(), uuid.New(), msgs, data)
	require.NoError(t, err)
	return manifest, msgs, data, group
}

func TestEnvelopePartsAreJSONMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 71))
	for range 300 {
		m, msgs, data, group := randomEnvelopeParts(t, rng)
		env, err := envelope("default", m, msgs, data, group)
		require.NoError(t, err)
		assert.Equal(t, string(mustJSON(t, m)), string(env.Manifest))
		require.Len(t, env.Messages, len(msgs))
		for i := range msgs {
			assert.Equal(t, string(mustJSON(t, msgs[i])), string(env.Messages[i]))
		}
		require.Len(t, env.Data, len(data))
		for i := range data {
			assert.Equal(t, string(mustJSON(t, data[i])), string(env.Data[i]))
		}
		if group != nil {
			assert.Equal(t, string(mustJSON(t, *group)), string(env.Group))
		} else {
			assert.Nil(t, env.Group)
		}
		// The parts share a buffer: appending to one must not reach the next.
		if len(env.Messages) > 0 {
			before := string(env.Messages[0])
			_ = append(env.Manifest, 'x')
			assert.Equal(t, before, string(env.Messages[0]))
		}
	}
}

// randomRaw is raw JSON as a peer may send it: spaced out, unescaped HTML
// characters, U+2028, now and then not JSON at all.
func randomRaw(rng *rand.Rand) json.RawMessage {
	return json.RawMessage([]string{`{"a":1}`, `{ "a" : [1, 2] }`, `{"s":"<b>&"}`, "{\"s\":\"\u2028\"}", `{"s":"\xff"}`,
		"{\n}", `{"a":`, "", `{} x`, `{"q":"\"<"}`}[rng.IntN(10)])
}

func randomRawList(rng *rand.Rand) []json.RawMessage {
	switch rng.IntN(5) {
	case 0:
		return nil
	case 1:
		return []json.RawMessage{}
	}
	out := make([]json.RawMessage, 1+rng.IntN(3))
	for i := range out {
		out[i] = randomRaw(rng)
	}
	return out
}

func TestEnvelopeAppendJSONIsJSONMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 2))
	for range 3000 {
		env := Envelope{Namespace: randomOddText(rng), Manifest: randomRaw(rng), Messages: randomRawList(rng),
			Data: randomRawList(rng), PayloadRef: randomOddText(rng)}
		switch rng.IntN(3) {
		case 0:
			env.Group = randomRaw(rng)
		case 1:
			env.Manifest = nil
		}
		want, wantErr := json.Marshal(env)
		got, err := appendPart(nil, env)
		if wantErr != nil {
			require.Error(t, err)
			assert.Equal(t, wantErr.Error(), err.Error())
			continue
		}
		require.NoError(t, err, "%q", env)
		assert.Equal(t, string(want), string(got))
	}
}

// TestReceivedIDIsUnchanged: receivedID hashes json.Marshal(BatchReceived)
// as it always did, on valid and odd batches alike.
func TestReceivedIDIsUnchanged(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	org, err := protocol.NewOrgDID("org1")
	require.NoError(t, err)
	node, err := protocol.NewNodeDID(org, "node1")
	require.NoError(t, err)
	for range 3000 {
		r := catalogue.BatchReceived{Namespace: randomOddText(rng), BatchID: uuid.New(), PayloadRef: randomOddText(rng),
			Manifest: randomRaw(rng), Messages: randomRawList(rng), Data: randomRawList(rng)}
		if rng.IntN(2) == 0 {
			r.From = &node
		}
		got, err := receivedID(r)
		b, wantErr := json.Marshal(r)
		if wantErr != nil {
			assert.Error(t, err)
			continue
		}
		require.NoError(t, err)
		sum := sha256.Sum256(b)
		assert.Equal(t, uuid.NewSHA1(receivedIDSpace, sum[:]), got)
	}
	// A known id, so a change of the bytes hashed cannot go unnoticed even
	// if both sides of the comparison above changed together.
	r := catalogue.BatchReceived{Namespace: "default", BatchID: uuid.MustParse("7f1c2b9e-0d6a-4c3b-9e8f-1a2b3c4d5e6f"),
		From: &node, Manifest: json.RawMessage(`{"id":"x"}`), Messages: []json.RawMessage{json.RawMessage(`{ "a" : "<" }`)},
		Data: []json.RawMessage{}}
	id, err := receivedID(r)
	require.NoError(t, err)
	assert.Equal(t, knownReceivedID, id.String())
}

// knownReceivedID is what receivedID gave for that batch before it stopped
// calling json.Marshal itself.
const knownReceivedID = "b59bb9ff-8eb5-5dfc-b580-d102064823d9"

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return b
}
