package protocol

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNewMessageHeaderDefaults(t *testing.T) {
	f := broadcastFields(t)
	f.DataHash = SHA256(nil)
	h, err := NewMessageHeader(f)
	require.NoError(t, err)
	assert.Equal(t, []string{DefaultTopic}, h.Topics())
	_, private := h.Group()
	assert.False(t, private)

	var wire map[string]any
	require.NoError(t, json.Unmarshal(mustJSON(t, h), &wire))
	assert.NotContains(t, wire, "cid")
	assert.NotContains(t, wire, "tag")
	assert.NotContains(t, wire, "group")
	assert.Equal(t, "2026-01-02T03:04:05.123456789Z", wire["created"])
}

func TestNewMessageHeaderCopiesInputs(t *testing.T) {
	f := broadcastFields(t)
	topics := []string{"a", "b"}
	f.Topics = topics
	h, err := NewMessageHeader(f)
	require.NoError(t, err)
	topics[0] = "changed"
	assert.Equal(t, []string{"a", "b"}, h.Topics())
}

func TestNewMessageHeaderRejects(t *testing.T) {
	group := SHA256([]byte("group"))
	cases := []struct {
		name   string
		change func(*MessageHeaderFields)
		field  string
	}{
		{"no id", func(f *MessageHeaderFields) { f.ID = uuid.Nil }, "id"},
		{"unknown type", func(f *MessageHeaderFields) { f.Type = "gossip" }, "type"},
		{"unknown txtype", func(f *MessageHeaderFields) { f.TxType = "" }, "txtype"},
		{"no author", func(f *MessageHeaderFields) { f.Author = OrgDID{} }, "author"},
		{"no key", func(f *MessageHeaderFields) { f.Key = SigningKey{} }, "key"},
		{"bad namespace", func(f *MessageHeaderFields) { f.Namespace = "a b" }, "namespace"},
		{"no created", func(f *MessageHeaderFields) { f.Created = time.Time{} }, "created"},
		{"group on broadcast", func(f *MessageHeaderFields) { f.Group = &group }, "group"},
		{"private without group", func(f *MessageHeaderFields) { f.Type = MessageTypeTransferPrivate }, "group"},
		{"empty topic", func(f *MessageHeaderFields) { f.Topics = []string{""} }, "topics"},
		{"duplicate topic", func(f *MessageHeaderFields) { f.Topics = []string{"a", "a"} }, "topics"},
		{"too many topics", func(f *MessageHeaderFields) { f.Topics = manyTopics(MaxTopics + 1) }, "topics"},
		{"bad tag", func(f *MessageHeaderFields) { f.Tag = "a\x00" }, "tag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := broadcastFields(t)
			tc.change(&f)
			_, err := NewMessageHeader(f)
			require.ErrorIs(t, err, ErrInvalidMessage)
			var fe *FieldError
			require.True(t, errors.As(err, &fe))
			assert.Equal(t, tc.field, fe.Field)
		})
	}
}

func manyTopics(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("t%d", i)
	}
	return out
}

func TestMessageHashCoversEveryHeaderField(t *testing.T) {
	base := broadcastFields(t)
	baseHeader, err := NewMessageHeader(base)
	require.NoError(t, err)
	group := SHA256([]byte("g"))
	changes := map[string]func(*MessageHeaderFields){
		"id":        func(f *MessageHeaderFields) { f.ID = uuid.New() },
		"cid":       func(f *MessageHeaderFields) { f.CID = uuid.New() },
		"type":      func(f *MessageHeaderFields) { f.Type = MessageTypeDefinition },
		"txtype":    func(f *MessageHeaderFields) { f.TxType = TxTypeUnpinned },
		"author":    func(f *MessageHeaderFields) { f.Author = mustOrg(t, "other") },
		"key":       func(f *MessageHeaderFields) { f.Key = mustKey(t, "0x"+strings.Repeat("ab", 20)) },
		"created":   func(f *MessageHeaderFields) { f.Created = f.Created.Add(time.Nanosecond) },
		"namespace": func(f *MessageHeaderFields) { f.Namespace = "other" },
		"group":     func(f *MessageHeaderFields) { f.Type = MessageTypePrivate; f.Group = &group },
		"topics":    func(f *MessageHeaderFields) { f.Topics = []string{"x"} },
		"tag":       func(f *MessageHeaderFields) { f.Tag = "x" },
		"datahash":  func(f *MessageHeaderFields) { f.DataHash = SHA256([]byte("x")) },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			f := base
			change(&f)
			h, err := NewMessageHeader(f)
			require.NoError(t, err)
			assert.NotEqual(t, baseHeader.Hash(), h.Hash())
		})
	}
}

func TestNewMessageChecksDataHash(t *testing.T) {
	d := mustData(t, `"x"`)
	f := broadcastFields(t)
	f.DataHash = SHA256([]byte("wrong"))
	h, err := NewMessageHeader(f)
	require.NoError(t, err)
	_, err = NewMessage(h, []DataRef{d.Ref()})
	var ve *VerifyError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, ReasonDataListHashMismatch, ve.Reason)
	assert.ErrorIs(t, err, ErrVerification)

	_, err = NewMessage(MessageHeader{}, nil)
	assert.ErrorIs(t, err, ErrInvalidMessage)
}

func TestNewMessageRejectsBadRefs(t *testing.T) {
	d := mustData(t, `1`)
	for name, refs := range map[string][]DataRef{
		"duplicate": {d.Ref(), d.Ref()},
		"nil id":    {{Hash: d.Hash()}},
		"too many":  make([]DataRef, MaxMessageData+1),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := BuildMessage(broadcastFields(t), refs)
			assert.ErrorIs(t, err, ErrInvalidMessage)
		})
	}
}

func TestDataListHashOfNoDataIsEmptyArray(t *testing.T) {
	h, err := DataListHash(nil)
	require.NoError(t, err)
	assert.Equal(t, SHA256([]byte("[]")), h)
}

func TestMessageJSON(t *testing.T) {
	m := mustMessage(t, privateFields(t, SHA256([]byte("g"))), mustData(t, `1`), mustData(t, `2`))
	assertMessageRoundTrip(t, m)

	raw := string(mustJSON(t, m))
	for name, tc := range map[string]struct {
		from, to string
		reason   Reason
	}{
		"claimed hash differs":   {`"hash":"` + m.Hash().String(), `"hash":"` + strings.Repeat("0", 64), ReasonMessageHashMismatch},
		"header changed":         {`"namespace":"default"`, `"namespace":"other"`, ReasonMessageHashMismatch},
		"data ref hash replaced": {m.Data()[0].Hash.String(), strings.Repeat("1", 64), ReasonDataListHashMismatch},
	} {
		t.Run(name, func(t *testing.T) {
			require.Contains(t, raw, tc.from)
			_, err := UnmarshalMessage([]byte(strings.Replace(raw, tc.from, tc.to, 1)))
			assert.Equal(t, tc.reason, RejectionReason(err), "%v", err)
		})
	}
}

func TestUnmarshalMessageHeaderIsStrict(t *testing.T) {
	f := broadcastFields(t)
	f.CID = uuid.New()
	f.Tag = "t"
	h, err := NewMessageHeader(f)
	require.NoError(t, err)
	raw := string(mustJSON(t, h))
	for name, tc := range map[string]struct{ from, to string }{
		"short time":      {`.123456789Z"`, `.123Z"`},
		"upper-case key":  {`"key":"0x1234567890abcdef`, `"key":"0x1234567890ABCDEF`},
		"empty topics":    {`"topics":["default"]`, `"topics":[]`},
		"missing topics":  {`"topics":["default"],`, ``},
		"unknown field":   {`"tag":"t"`, `"tag":"t","extra":true`},
		"case-folded key": {`"tag":"t"`, `"Tag":"t"`},
		"duplicate key":   {`"tag":"t"`, `"tag":"t","tag":"u"`},
		"upper-case cid":  {`"cid":"` + f.CID.String(), `"cid":"` + strings.ToUpper(f.CID.String())},
		"bad author":      {`"author":"did:lm:org/acme"`, `"author":"did:lm:node/acme/x"`},
		"bad datahash":    {`"datahash":"`, `"datahash":"0x`},
	} {
		t.Run(name, func(t *testing.T) {
			require.Contains(t, raw, tc.from)
			_, err := UnmarshalMessageHeader([]byte(strings.Replace(raw, tc.from, tc.to, 1)))
			assert.ErrorIs(t, err, ErrInvalidMessage)
		})
	}
	back, err := UnmarshalMessageHeader([]byte(raw))
	require.NoError(t, err)
	assert.Equal(t, h.Hash(), back.Hash())
}
