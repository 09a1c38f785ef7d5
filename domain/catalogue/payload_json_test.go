package catalogue_test

import (
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
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// The payloads that write their own JSON must write what json.Marshal
// writes of them, byte for byte: it is the stored event, and receivedID
// hashes it. These tests compare the two on random payloads whose strings
// and raw parts hold what encoding/json escapes or compacts.

// oddPieces make strings and raw JSON with what encoding/json treats
// specially: quotes, controls, HTML characters, U+2028/U+2029, invalid
// UTF-8, other characters starting with the byte U+2028 starts with.
var oddPieces = []string{"a", "Z9", " ", "\"", "\\", "<", ">", "&", "\n", "\t", "\x00", "\x1f", "\x7f", "é", "€",
	"\u2028", "\u2029", "\xff", "\xe2\x80", "😀"}

type payloadGen struct {
	t   *testing.T
	rng *rand.Rand
}

func (g payloadGen) text() string {
	if g.rng.IntN(3) == 0 {
		return ""
	}
	var b strings.Builder
	for range 1 + g.rng.IntN(5) {
		b.WriteString(oddPieces[g.rng.IntN(len(oddPieces))])
	}
	return b.String()
}

// topic is text a topic or tag may hold (valid UTF-8, no controls).
func (g payloadGen) topic() string {
	for {
		if s := g.text(); s != "" && protocol.ValidateTopic(s) == nil {
			return s
		}
	}
}

// rawJSON is a JSON value, now and then spaced out or holding characters
// compacting escapes; with bad set, now and then not JSON at all.
func (g payloadGen) rawJSON(depth int, bad bool) json.RawMessage {
	sp := func() string { return []string{"", "", "", " ", "\n\t"}[g.rng.IntN(5)] }
	switch n := g.rng.IntN(8); {
	case bad && n == 0:
		return json.RawMessage([]string{"", "{", `{"a":}`, "nul", `"x`, "[1,]", "{} {}"}[g.rng.IntN(7)])
	case depth > 2 || n <= 2:
		if g.rng.IntN(3) == 0 {
			return json.RawMessage(`"` + []string{"<b>", "a&b", "x\u2028y", "\u2029", "\xff", "€", `q\"`}[g.rng.IntN(7)] + `"`)
		}
		s, _ := json.Marshal(g.text())
		return s
	case n == 3:
		return json.RawMessage([]string{"1", "-2.5e3", "true", "null"}[g.rng.IntN(4)])
	case n == 4:
		var parts []string
		for range g.rng.IntN(4) {
			parts = append(parts, sp()+string(g.rawJSON(depth+1, false))+sp())
		}
		return json.RawMessage("[" + strings.Join(parts, ",") + "]")
	default:
		var parts []string
		for i := range g.rng.IntN(4) {
			parts = append(parts, fmt.Sprintf(`%s"k%d"%s:%s`, sp(), i, sp(), g.rawJSON(depth+1, false)))
		}
		return json.RawMessage("{" + strings.Join(parts, ",") + sp() + "}")
	}
}

// data is a data item; values NewData refuses (invalid UTF-8, which
// encoding/json lets through) are drawn again.
func (g payloadGen) data() protocol.Data {
	for {
		f := protocol.DataFields{ID: uuid.New(), Value: g.rawJSON(0, false)}
		if string(f.Value) == "null" || g.rng.IntN(3) == 0 {
			blob, err := protocol.NewBlobRef(protocol.SHA256([]byte(g.text())), g.rng.Int64N(protocol.MaxSafeInteger), g.topic())
			require.NoError(g.t, err)
			f.Blob = &blob
		}
		if d, err := protocol.NewData(f); err == nil {
			return d
		}
	}
}

func (g payloadGen) message(data []protocol.Data) protocol.Message {
	org, err := protocol.NewOrgDID("org1")
	require.NoError(g.t, err)
	key, err := protocol.ParseSigningKey("0x00112233445566778899aabbccddeeff00112233")
	require.NoError(g.t, err)
	refs := make([]protocol.DataRef, len(data))
	for i, d := range data {
		refs[i] = d.Ref()
	}
	f := protocol.MessageHeaderFields{ID: uuid.New(), Type: protocol.MessageTypeBroadcast, TxType: protocol.TxTypeBatchPin,
		Author: org, Key: key, Created: time.Unix(g.rng.Int64N(4e9), g.rng.Int64N(1e9)), Namespace: "ns1"}
	for range g.rng.IntN(3) {
		if t := g.topic(); !strings.Contains(strings.Join(f.Topics, "\x00"), t) {
			f.Topics = append(f.Topics, t)
		}
	}
	if g.rng.IntN(2) == 0 {
		f.Tag = g.topic()
	}
	if g.rng.IntN(2) == 0 {
		f.CID = uuid.New()
	}
	m, err := protocol.BuildMessage(f, refs)
	require.NoError(g.t, err)
	return m
}

func (g payloadGen) hashes() []protocol.Hash {
	if g.rng.IntN(4) == 0 {
		return nil
	}
	out := make([]protocol.Hash, g.rng.IntN(3))
	for i := range out {
		out[i] = protocol.SHA256([]byte(g.text()))
	}
	return out
}

func (g payloadGen) rawList(bad bool) []json.RawMessage {
	switch g.rng.IntN(6) {
	case 0:
		return nil
	case 1:
		return []json.RawMessage{}
	case 2:
		return []json.RawMessage{nil}
	}
	out := make([]json.RawMessage, 1+g.rng.IntN(3))
	for i := range out {
		out[i] = g.rawJSON(0, bad)
	}
	return out
}

func (g payloadGen) payloads() []catalogue.Payload {
	var data []protocol.Data
	for range g.rng.IntN(3) {
		data = append(data, g.data())
	}
	msg := g.message(data)
	submitted := catalogue.MessageSubmitted{Message: msg, Data: data}
	if len(data) == 0 && g.rng.IntN(2) == 0 {
		submitted.Data = []protocol.Data{}
	}
	manifest, err := protocol.BuildManifest(uuid.New(), uuid.New(), []protocol.Message{msg}, data)
	require.NoError(g.t, err)
	received := catalogue.BatchReceived{Namespace: g.text(), BatchID: uuid.New(), PayloadRef: g.text(),
		Manifest: g.rawJSON(0, true), Messages: g.rawList(true), Data: g.rawList(true)}
	switch g.rng.IntN(3) {
	case 0:
		org, err := protocol.NewOrgDID("org1")
		require.NoError(g.t, err)
		node, err := protocol.NewNodeDID(org, "node1")
		require.NoError(g.t, err)
		received.From = &node
	case 1:
		received.From = &protocol.NodeDID{} // refused by its MarshalText
	}
	if g.rng.IntN(8) == 0 {
		received.Manifest = nil
	}
	stored := catalogue.DataStored{Namespace: g.text(), Data: g.data()}
	if g.rng.IntN(10) == 0 {
		stored.Data = protocol.Data{}
	}
	return []catalogue.Payload{submitted, stored, received,
		catalogue.BatchSealed{Manifest: manifest, Contexts: g.hashes(), Pins: g.hashes()}}
}

func TestPayloadJSONIsJSONMarshal(t *testing.T) {
	g := payloadGen{t: t, rng: rand.New(rand.NewPCG(3, 14))}
	written, refused := 0, 0
	for range 3000 {
		for _, p := range g.payloads() {
			want, wantErr := json.Marshal(p)
			got, err := catalogue.PayloadJSON(p)
			if wantErr != nil {
				require.Error(t, err, "%#v", p)
				assert.Equal(t, wantErr.Error(), err.Error())
				refused++
				continue
			}
			require.NoError(t, err, "%#v", p)
			require.Equal(t, string(want), string(got), "%#v", p)
			written++
		}
	}
	// Both paths were exercised.
	assert.Greater(t, written, 8000)
	assert.Greater(t, refused, 300)
}

// TestEncodeStoresJSONMarshal: what Encode stores is what it stored when it
// called json.Marshal itself.
func TestEncodeStoresJSONMarshal(t *testing.T) {
	for typ, p := range samples(t) {
		prop, err := catalogue.Default().Encode(uuid.New(), p, event.Metadata{Namespace: "default"})
		require.NoError(t, err, typ)
		want, err := json.Marshal(p)
		require.NoError(t, err)
		assert.Equal(t, string(want), string(prop.Data), typ)
	}
}
