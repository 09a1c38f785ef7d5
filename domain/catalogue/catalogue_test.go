package catalogue_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// stored turns a proposal into what a store would hand back.
func stored(p event.Proposed) event.Event {
	return event.Event{ID: p.ID, Stream: "s-1", Revision: 1, Position: 9, Type: p.Type, Version: p.Version,
		Recorded: time.Now().UTC(), Data: p.Data, Metadata: p.Metadata}
}

func TestEveryTypeHasASampleThatRoundTrips(t *testing.T) {
	cat := catalogue.Default()
	s := samples(t)
	require.ElementsMatch(t, cat.Types(), keys(s), "every catalogued event needs a sample, and only those")
	for _, typ := range cat.Types() {
		t.Run(typ, func(t *testing.T) {
			p := s[typ]
			prop, err := cat.Encode(uuid.New(), p, event.Metadata{Namespace: "default"})
			require.NoError(t, err)
			require.NoError(t, prop.Validate(), "the proposal is acceptable to every store")
			got, err := cat.Decode(stored(prop))
			require.NoError(t, err)
			again, err := json.Marshal(got)
			require.NoError(t, err)
			assert.JSONEq(t, string(prop.Data), string(again))
			assert.IsType(t, p, got)
		})
	}
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestEncodeRejectsInvalidPayloads(t *testing.T) {
	cat := catalogue.Default()
	_, err := cat.Encode(uuid.New(), catalogue.PinRemoved{Namespace: "default"}, event.Metadata{})
	assert.ErrorIs(t, err, catalogue.ErrMalformedEvent)
	assert.ErrorIs(t, err, catalogue.ErrInvalidPayload)

	_, err = catalogue.New().Encode(uuid.New(), catalogue.PinRemoved{}, event.Metadata{})
	assert.ErrorIs(t, err, catalogue.ErrUnknownEventType)
}

func TestDecodeErrorsNameTheEvent(t *testing.T) {
	cat := catalogue.Default()
	good, err := cat.Encode(uuid.New(), samples(t)["PinRemoved"], event.Metadata{})
	require.NoError(t, err)
	cases := map[string]struct {
		mutate func(*event.Event)
		want   error
	}{
		"unknown type":    {func(e *event.Event) { e.Type = "Nope" }, catalogue.ErrUnknownEventType},
		"future version":  {func(e *event.Event) { e.Version = 2 }, catalogue.ErrUnknownVersion},
		"version zero":    {func(e *event.Event) { e.Version = 0 }, catalogue.ErrUnknownVersion},
		"not json":        {func(e *event.Event) { e.Data = []byte("{") }, catalogue.ErrMalformedEvent},
		"null":            {func(e *event.Event) { e.Data = []byte("null") }, catalogue.ErrMalformedEvent},
		"array":           {func(e *event.Event) { e.Data = []byte("[]") }, catalogue.ErrMalformedEvent},
		"unknown field":   {func(e *event.Event) { e.Data = []byte(`{"namespace":"default","extra":1}`) }, catalogue.ErrMalformedEvent},
		"invalid payload": {func(e *event.Event) { e.Data = []byte(`{"namespace":"default","reason":"reorg"}`) }, catalogue.ErrMalformedEvent},
		"trailing data":   {func(e *event.Event) { e.Data = append(append([]byte{}, good.Data...), []byte(" {}")...) }, catalogue.ErrMalformedEvent},
		"bad hash": {func(e *event.Event) {
			e.Type, e.Data = "PinSubmitted", []byte(`{"batchHash":"zz"}`)
		}, catalogue.ErrMalformedEvent},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			ev := stored(good)
			c.mutate(&ev)
			_, err := cat.Decode(ev)
			require.Error(t, err)
			assert.ErrorIs(t, err, c.want)
			var de *catalogue.DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, ev.ID, de.ID)
			assert.Contains(t, err.Error(), ev.ID.String())
			assert.Contains(t, err.Error(), ev.Type)
		})
	}
}

// renamed is a v2 payload whose v1 called "reason" "why".
type renamed struct {
	Reason string `json:"reason"`
}

func (renamed) EventType() string { return "Renamed" }
func (r renamed) Validate() error {
	if r.Reason == "" {
		return catalogue.ErrInvalidPayload
	}
	return nil
}

func TestUpcastersTurnOldVersionsIntoTheCurrentOne(t *testing.T) {
	cat := catalogue.New()
	cat.Register(renamed{}, 2)
	cat.RegisterUpcaster("Renamed", 1, func(in json.RawMessage) (json.RawMessage, error) {
		var v1 struct {
			Why string `json:"why"`
		}
		if err := json.Unmarshal(in, &v1); err != nil {
			return nil, err
		}
		return json.Marshal(renamed{Reason: v1.Why})
	})
	p, err := cat.Decode(event.Event{ID: uuid.New(), Type: "Renamed", Version: 1, Data: []byte(`{"why":"because"}`)})
	require.NoError(t, err)
	assert.Equal(t, renamed{Reason: "because"}, p)

	p, err = cat.Decode(event.Event{ID: uuid.New(), Type: "Renamed", Version: 2, Data: []byte(`{"reason":"now"}`)})
	require.NoError(t, err)
	assert.Equal(t, renamed{Reason: "now"}, p)

	_, err = cat.Decode(event.Event{ID: uuid.New(), Type: "Renamed", Version: 1, Data: []byte(`[]`)})
	assert.ErrorIs(t, err, catalogue.ErrMalformedEvent, "an upcaster failure is a decode error, not a panic")

	enc, err := cat.Encode(uuid.New(), renamed{Reason: "x"}, event.Metadata{})
	require.NoError(t, err)
	assert.Equal(t, 2, enc.Version, "new events are written at the current version")
}

func TestMissingUpcasterIsAnError(t *testing.T) {
	cat := catalogue.New()
	cat.Register(renamed{}, 3)
	cat.RegisterUpcaster("Renamed", 2, func(in json.RawMessage) (json.RawMessage, error) { return in, nil })
	_, err := cat.Decode(event.Event{ID: uuid.New(), Type: "Renamed", Version: 1, Data: []byte(`{"reason":"x"}`)})
	assert.ErrorIs(t, err, catalogue.ErrUnknownVersion)
}

func TestChainLocationOrder(t *testing.T) {
	a := catalogue.ChainLocation{BlockNumber: 1, TxIndex: 5, LogIndex: 9}
	assert.True(t, a.Less(catalogue.ChainLocation{BlockNumber: 2}))
	assert.True(t, a.Less(catalogue.ChainLocation{BlockNumber: 1, TxIndex: 6}))
	assert.True(t, a.Less(catalogue.ChainLocation{BlockNumber: 1, TxIndex: 5, LogIndex: 10}))
	assert.False(t, a.Less(a))
}

func TestPayloadValidationRules(t *testing.T) {
	s := samples(t)
	org := s["IdentityRegistered"].(catalogue.IdentityRegistered)
	orgOnly := catalogue.IdentityRegistered{Namespace: "default", Kind: catalogue.IdentityOrg, Org: org.Org, MessageID: org.MessageID}
	assert.ErrorIs(t, orgOnly.Validate(), catalogue.ErrInvalidPayload, "an org needs a key")

	badEndpoint := org
	badEndpoint.Endpoint = "ftp://x"
	assert.ErrorIs(t, badEndpoint.Validate(), catalogue.ErrInvalidPayload)

	rej := s["MessageRejected"].(catalogue.MessageRejected)
	rej.Reason = "because"
	assert.ErrorIs(t, rej.Validate(), catalogue.ErrInvalidPayload)

	conf := s["MessageConfirmed"].(catalogue.MessageConfirmed)
	conf.Contexts[0].Count = 0
	assert.ErrorIs(t, conf.Validate(), catalogue.ErrInvalidPayload)

	disp := s["BatchDispatched"].(catalogue.BatchDispatched)
	disp.Recipients = nil
	assert.ErrorIs(t, disp.Validate(), catalogue.ErrInvalidPayload)

	loc := s["PinRemoved"].(catalogue.PinRemoved)
	loc.Location.TxHash = "0xABC"
	assert.ErrorIs(t, loc.Validate(), catalogue.ErrInvalidPayload, "chain hashes are lower case")
}

func FuzzDecode(f *testing.F) {
	cat := catalogue.Default()
	types := cat.Types()
	for i, typ := range types {
		p, err := cat.Encode(uuid.New(), samples(f)[typ], event.Metadata{})
		require.NoError(f, err)
		f.Add(uint8(i), 1, []byte(p.Data))
	}
	f.Add(uint8(0), 1, []byte(`{}`))
	f.Fuzz(func(t *testing.T, typ uint8, version int, data []byte) {
		ev := event.Event{ID: uuid.New(), Type: types[int(typ)%len(types)], Version: version, Data: data}
		p, err := cat.Decode(ev)
		if err != nil {
			var de *catalogue.DecodeError
			require.ErrorAs(t, err, &de)
			return
		}
		// Whatever decodes must encode again and decode to the same JSON.
		prop, err := cat.Encode(ev.ID, p, event.Metadata{})
		require.NoError(t, err)
		p2, err := cat.Decode(event.Event{ID: ev.ID, Type: prop.Type, Version: prop.Version, Data: prop.Data})
		require.NoError(t, err)
		again, err := json.Marshal(p2)
		require.NoError(t, err)
		assert.JSONEq(t, string(prop.Data), string(again))
	})
}
