package protocol

import (
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testBatch is a valid batch: two messages sharing one data item.
type testBatch struct {
	manifest Manifest
	messages []Message
	data     []Data
}

func newTestBatch(t *testing.T, fields func(testing.TB) MessageHeaderFields) testBatch {
	t.Helper()
	shared, own1, own2 := mustData(t, `"shared"`), mustData(t, `1`), mustData(t, `2`)
	f1 := fields(t)
	f1.Topics = []string{"a", "b"}
	f2 := fields(t)
	m1 := mustMessage(t, f1, own1, shared)
	m2 := mustMessage(t, f2, shared, own2)
	data := []Data{own2, shared, own1} // any order
	m, err := BuildManifest(uuid.New(), uuid.New(), []Message{m1, m2}, data)
	require.NoError(t, err)
	return testBatch{manifest: m, messages: []Message{m1, m2}, data: data}
}

func TestBuildManifest(t *testing.T) {
	b := newTestBatch(t, broadcastFields)
	m := b.manifest
	_, private := m.Group()
	assert.False(t, private)
	assert.Equal(t, b.messages[0].Header().Author(), m.Author())
	entries := m.Messages()
	require.Len(t, entries, 2)
	assert.Equal(t, ManifestMessage{ID: b.messages[0].ID(), Hash: b.messages[0].Hash(), Topics: []string{"a", "b"}}, entries[0])
	assert.Equal(t, []string{"default"}, entries[1].Topics)

	// Data: each item once, in order of first reference.
	refs := b.messages[0].Data()
	want := []DataRef{refs[0], refs[1], b.messages[1].Data()[1]}
	assert.Equal(t, want, m.Data())
	assert.NoError(t, VerifyBatch(m.Hash(), m, b.messages, b.data))
	assertManifestRoundTrip(t, m)
}

func TestBuildManifestPrivate(t *testing.T) {
	group := SHA256([]byte("group"))
	b := newTestBatch(t, func(tb testing.TB) MessageHeaderFields { return privateFields(tb, group) })
	got, ok := b.manifest.Group()
	require.True(t, ok)
	assert.Equal(t, group, got)
	assert.Contains(t, string(mustJSON(t, b.manifest)), `"group":"`+group.String()+`"`)
	assert.NotContains(t, string(mustJSON(t, newTestBatch(t, broadcastFields).manifest)), `"group"`)
}

func TestBuildManifestRejects(t *testing.T) {
	d := mustData(t, `1`)
	base := mustMessage(t, broadcastFields(t), d)
	other := func(change func(*MessageHeaderFields)) Message {
		f := broadcastFields(t)
		change(&f)
		return mustMessage(t, f, d)
	}
	group := SHA256([]byte("g"))
	cases := map[string]struct {
		messages []Message
		data     []Data
		reason   Reason
	}{
		"no messages":       {nil, nil, ReasonInvalidContent},
		"other namespace":   {[]Message{base, other(func(f *MessageHeaderFields) { f.Namespace = "x" })}, []Data{d}, ReasonInvalidContent},
		"other author":      {[]Message{base, other(func(f *MessageHeaderFields) { f.Author = mustOrg(t, "x") })}, []Data{d}, ReasonInvalidContent},
		"other key":         {[]Message{base, other(func(f *MessageHeaderFields) { f.Key = mustKey(t, "0x"+strings.Repeat("1", 40)) })}, []Data{d}, ReasonInvalidContent},
		"other group":       {[]Message{base, other(func(f *MessageHeaderFields) { f.Type = MessageTypePrivate; f.Group = &group })}, []Data{d}, ReasonInvalidContent},
		"other txtype":      {[]Message{base, other(func(f *MessageHeaderFields) { f.TxType = TxTypeUnpinned })}, []Data{d}, ReasonInvalidContent},
		"duplicate message": {[]Message{base, base}, []Data{d}, ReasonInvalidContent},
		"missing data":      {[]Message{base}, nil, ReasonManifestMismatch},
		"extra data":        {[]Message{base}, []Data{d, mustData(t, `2`)}, ReasonManifestMismatch},
		"data twice":        {[]Message{base}, []Data{d, d}, ReasonManifestMismatch},
		"data with other hash": {[]Message{base}, []Data{func() Data {
			x, err := NewData(DataFields{ID: d.ID(), Value: []byte(`2`)})
			require.NoError(t, err)
			return x
		}()}, ReasonDataHashMismatch},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := BuildManifest(uuid.New(), uuid.New(), tc.messages, tc.data)
			require.Error(t, err)
			assert.Equal(t, tc.reason, RejectionReason(err), "%v", err)
		})
	}
}

func TestNewManifestRejects(t *testing.T) {
	valid := func() ManifestFields {
		return ManifestFields{ID: uuid.New(), TxID: uuid.New(), Namespace: "ns", Author: mustOrg(t, "acme"), Key: testKey(t),
			Messages: []ManifestMessage{{ID: uuid.New(), Topics: []string{"t"}}}, Data: []DataRef{}}
	}
	_, err := NewManifest(valid())
	require.NoError(t, err)
	id := uuid.New()
	cases := map[string]func(*ManifestFields){
		"no id":          func(f *ManifestFields) { f.ID = uuid.Nil },
		"no tx":          func(f *ManifestFields) { f.TxID = uuid.Nil },
		"bad namespace":  func(f *ManifestFields) { f.Namespace = "" },
		"no author":      func(f *ManifestFields) { f.Author = OrgDID{} },
		"no key":         func(f *ManifestFields) { f.Key = SigningKey{} },
		"no messages":    func(f *ManifestFields) { f.Messages = nil },
		"no topics":      func(f *ManifestFields) { f.Messages[0].Topics = nil },
		"bad topic":      func(f *ManifestFields) { f.Messages[0].Topics = []string{"\x00"} },
		"nil message id": func(f *ManifestFields) { f.Messages[0].ID = uuid.Nil },
		"dup message id": func(f *ManifestFields) { f.Messages = append(f.Messages, f.Messages[0]) },
		"nil data id":    func(f *ManifestFields) { f.Data = []DataRef{{}} },
		"dup data id":    func(f *ManifestFields) { f.Data = []DataRef{{ID: id}, {ID: id}} },
		"too many msgs":  func(f *ManifestFields) { f.Messages = make([]ManifestMessage, MaxBatchMessages+1) },
	}
	for name, change := range cases {
		t.Run(name, func(t *testing.T) {
			f := valid()
			change(&f)
			_, err := NewManifest(f)
			assert.ErrorIs(t, err, ErrInvalidManifest)
		})
	}
}

func TestUnmarshalManifestIsStrict(t *testing.T) {
	raw := string(mustJSON(t, newTestBatch(t, broadcastFields).manifest))
	for name, tc := range map[string]struct{ from, to string }{
		"version 2":       {`"version":1`, `"version":2`},
		"version 1.0":     {`"version":1`, `"version":1.0`},
		"no version":      {`"version":1,`, ``},
		"null data":       {`"data":[`, `"data":null,"x":[`},
		"unknown field":   {`"version":1`, `"version":1,"extra":0`},
		"folded field":    {`"tx":`, `"TX":`},
		"upper-case key":  {`"key":"0x1234567890abcdef`, `"key":"0x1234567890ABCDEF`},
		"message extra":   {`"topics":["a","b"]`, `"topics":["a","b"],"x":1`},
		"message no hash": {`"hash":"`, `"hasj":"`},
	} {
		t.Run(name, func(t *testing.T) {
			require.Contains(t, raw, tc.from)
			_, err := UnmarshalManifest([]byte(strings.Replace(raw, tc.from, tc.to, 1)))
			assert.ErrorIs(t, err, ErrInvalidManifest)
		})
	}
}
