package protocol

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The AppendJSON writers replace json.Marshal of the wire structs
// (marshalWire). On many random values they must write the very same bytes,
// after any prefix already in the buffer: stored events, envelopes and
// BatchReceived ids are made of them.
//
// marshalWire still calls the MarshalJSON of the types nested in a value,
// which are AppendJSON now; each of those is compared with its own
// marshalWire here too, so the comparison holds all the way down.

type wireWriter interface {
	AppendJSON([]byte) ([]byte, error)
	MarshalJSON() ([]byte, error)
	marshalWire() ([]byte, error)
}

func assertSameWire(t *testing.T, v wireWriter) {
	t.Helper()
	want, wantErr := v.marshalWire()
	prefix := []byte(`{"x":`)
	got, err := v.AppendJSON(prefix)
	if wantErr != nil {
		require.Error(t, err, "%#v", v)
		assert.Equal(t, wantErr.Error(), err.Error())
		_, err = v.MarshalJSON()
		assert.Equal(t, wantErr.Error(), err.Error())
		return
	}
	require.NoError(t, err)
	require.Equal(t, string(prefix)+string(want), string(got))
	got, err = v.MarshalJSON()
	require.NoError(t, err)
	require.Equal(t, string(want), string(got))
	// What encoding/json writes of the value inside a struct, which is how
	// events hold them.
	nested, err := json.Marshal(struct{ V any }{v})
	require.NoError(t, err)
	require.Equal(t, `{"V":`+string(want)+`}`, string(nested))
}

func TestAppendJSONEqualsMarshalWire(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 3))
	for range 1500 {
		g := randomGroup(t, rng)
		assertSameWire(t, g)
		for _, m := range g.members {
			assertSameWire(t, m)
		}
		var data []Data
		for range rng.IntN(4) {
			d := randomData(t, rng)
			assertSameWire(t, d)
			if d.blob != nil {
				assertSameWire(t, *d.blob)
			}
			if d.datatype != nil {
				assertSameWire(t, *d.datatype)
			}
			data = append(data, d)
		}
		refs := make([]DataRef, len(data))
		for j, d := range data {
			refs[j] = d.Ref()
			assertSameWire(t, refs[j])
		}
		var group *Hash
		if rng.IntN(2) == 0 {
			gh := g.Hash()
			group = &gh
		}
		var messages []Message
		head := randomHeaderFields(rng, group)
		for range 1 + rng.IntN(4) {
			f := randomHeaderFields(rng, group)
			f.Author, f.Key, f.Namespace, f.TxType = head.Author, head.Key, head.Namespace, head.TxType
			m, err := BuildMessage(f, refs)
			require.NoError(t, err)
			assertSameWire(t, m.Header())
			assertSameWire(t, m)
			messages = append(messages, m)
		}
		m, err := BuildManifest(uuid.New(), uuid.New(), messages, data)
		require.NoError(t, err)
		assertSameWire(t, m)
		for _, e := range m.messages {
			assertSameWire(t, e)
		}
	}
}

// TestAppendJSONEqualsMarshalWireBeyondConstructors fills the string fields
// with what no constructor lets through (quotes, controls, HTML characters,
// U+2028, invalid UTF-8) and leaves lists nil or empty: the writers must
// agree with encoding/json on any value, not only on valid ones.
func TestAppendJSONEqualsMarshalWireBeyondConstructors(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 4))
	text := func() string {
		if rng.IntN(4) == 0 {
			return ""
		}
		return randomText(rng, true)
	}
	list := func() []string {
		switch rng.IntN(4) {
		case 0:
			return nil
		case 1:
			return []string{}
		}
		out := make([]string, 1+rng.IntN(3))
		for i := range out {
			out[i] = text()
		}
		return out
	}
	id := func() uuid.UUID {
		if rng.IntN(8) == 0 {
			return uuid.Nil
		}
		return uuid.New()
	}
	for range 3000 {
		h := randomHeader(t, rng)
		h.id, h.typ, h.txType, h.namespace, h.topics, h.tag = id(), MessageType(text()), TxType(text()), text(), list(), text()
		h.author = OrgDID{did: text()}
		assertSameWire(t, h)

		refs := []DataRef{{ID: id(), Hash: SHA256([]byte(text()))}}
		if rng.IntN(3) == 0 {
			refs = nil
		}
		assertSameWire(t, Message{header: h, data: refs})

		blob := &BlobRef{hash: SHA256([]byte(text())), size: rng.Int64(), name: text()}
		dt := &DatatypeRef{name: text(), version: text()}
		assertSameWire(t, *blob)
		assertSameWire(t, *dt)
		d := Data{id: id(), hash: SHA256(nil)}
		if rng.IntN(2) == 0 {
			d.value = json.RawMessage(randomJSON(rng, 0)) // not canonicalised: may be spaced out
		}
		if rng.IntN(2) == 0 {
			d.blob = blob
		}
		if rng.IntN(2) == 0 {
			d.datatype = dt
		}
		assertSameWire(t, d)

		entries := []ManifestMessage{{ID: id(), Hash: SHA256(nil), Topics: list()}}
		if rng.IntN(3) == 0 {
			entries = nil
		}
		for _, e := range entries {
			assertSameWire(t, e)
		}
		m := Manifest{id: id(), txID: uuid.New(), namespace: text(), author: OrgDID{did: text()}, key: h.key,
			messages: entries, data: refs}
		if rng.IntN(2) == 0 {
			m.group = h.group
		}
		assertSameWire(t, m)

		members := []Member{{Identity: OrgDID{did: text()}, Node: NodeDID{did: text()}}}
		if rng.IntN(5) == 0 {
			members = nil
		}
		for _, mb := range members {
			assertSameWire(t, mb)
		}
		assertSameWire(t, Group{namespace: text(), name: text(), members: members, hash: SHA256(nil)})
	}
}

func randomHeader(t *testing.T, rng *rand.Rand) MessageHeader {
	var group *Hash
	if rng.IntN(2) == 0 {
		gh := SHA256([]byte("g"))
		group = &gh
	}
	f := randomHeaderFields(rng, group)
	h, err := NewMessageHeader(f)
	require.NoError(t, err)
	return h
}

// TestAppendJSONOfZeroValues: zero values (never built by a constructor)
// fail as they always did, with the same errors.
func TestAppendJSONOfZeroValues(t *testing.T) {
	for _, v := range []wireWriter{MessageHeader{}, Message{}, Data{}, DataRef{}, BlobRef{}, DatatypeRef{},
		Manifest{}, ManifestMessage{}, Group{}, Member{}} {
		assertSameWire(t, v)
	}
}
