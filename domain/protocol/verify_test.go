package protocol

import (
	"errors"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestVerifyBatch(t *testing.T) {
	b := newTestBatch(t, broadcastFields)
	require.NoError(t, VerifyBatch(b.manifest.Hash(), b.manifest, b.messages, b.data))

	replacementData := mustData(t, `"other"`)
	otherMessage := mustMessage(t, broadcastFields(t), b.data[0])
	cases := []struct {
		name   string
		pinned func(testBatch) Hash
		change func(*testBatch)
		reason Reason
		id     func(testBatch) uuid.UUID
	}{
		{
			name:   "pinned hash differs",
			pinned: func(testBatch) Hash { return SHA256([]byte("other")) },
			reason: ReasonBatchHashMismatch,
			id:     func(b testBatch) uuid.UUID { return b.manifest.ID() },
		},
		{
			name: "data item content changed",
			change: func(b *testBatch) {
				// Same id, other content: a forged data item.
				forged, err := NewData(DataFields{ID: b.data[0].ID(), Value: []byte(`"forged"`)})
				require.NoError(t, err)
				b.data[0] = forged
			},
			reason: ReasonDataHashMismatch,
			id:     func(b testBatch) uuid.UUID { return b.data[0].ID() },
		},
		{
			name:   "data item missing",
			change: func(b *testBatch) { b.data = b.data[1:] },
			reason: ReasonManifestMismatch,
		},
		{
			name:   "unreferenced data item added",
			change: func(b *testBatch) { b.data = append(b.data, replacementData) },
			reason: ReasonManifestMismatch,
		},
		{
			name:   "message replaced",
			change: func(b *testBatch) { b.messages[1] = otherMessage },
			reason: ReasonManifestMismatch,
		},
		{
			name: "message content changed under the same id",
			change: func(b *testBatch) {
				f := fieldsOf(b.messages[1].Header())
				f.Tag = "tampered"
				b.messages[1] = mustMessage(t, f, dataOf(b.messages[1], b.data)...)
			},
			reason: ReasonMessageHashMismatch,
			id:     func(b testBatch) uuid.UUID { return b.messages[1].ID() },
		},
		{
			name:   "message missing",
			change: func(b *testBatch) { b.messages = b.messages[:1] },
			reason: ReasonManifestMismatch,
		},
		{
			name:   "messages reordered",
			change: func(b *testBatch) { b.messages[0], b.messages[1] = b.messages[1], b.messages[0] },
			reason: ReasonManifestMismatch,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestBatch(t, broadcastFields)
			pinned := b.manifest.Hash()
			if tc.pinned != nil {
				pinned = tc.pinned(b)
			}
			if tc.change != nil {
				tc.change(&b)
			}
			err := VerifyBatch(pinned, b.manifest, b.messages, b.data)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrVerification)
			var ve *VerifyError
			require.True(t, errors.As(err, &ve))
			assert.Equal(t, tc.reason, ve.Reason, "%v", err)
			if tc.id != nil {
				assert.Equal(t, tc.id(b), ve.ID)
			}
		})
	}
}

func TestVerifyBatchManifestDisagreesWithMessages(t *testing.T) {
	b := newTestBatch(t, broadcastFields)
	f := ManifestFields{ID: b.manifest.ID(), TxID: b.manifest.TxID(), Namespace: b.manifest.Namespace(),
		Author: b.manifest.Author(), Key: b.manifest.Key(), Messages: b.manifest.Messages(), Data: b.manifest.Data()}

	lying := func(change func(*ManifestFields)) Manifest {
		g := f
		g.Messages = b.manifest.Messages()
		g.Data = b.manifest.Data()
		change(&g)
		m, err := NewManifest(g)
		require.NoError(t, err)
		return m
	}
	cases := map[string]struct {
		m      Manifest
		reason Reason
	}{
		"claims other message hash": {lying(func(g *ManifestFields) { g.Messages[0].Hash = SHA256(nil) }), ReasonMessageHashMismatch},
		"claims other topics":       {lying(func(g *ManifestFields) { g.Messages[0].Topics = []string{"z"} }), ReasonManifestMismatch},
		"claims other author":       {lying(func(g *ManifestFields) { g.Author = mustOrg(t, "mallory") }), ReasonManifestMismatch},
		"claims a group":            {lying(func(g *ManifestFields) { h := SHA256(nil); g.Group = &h }), ReasonManifestMismatch},
		"claims other data hash":    {lying(func(g *ManifestFields) { g.Data[0].Hash = SHA256(nil) }), ReasonDataHashMismatch},
		"lists data in other order": {lying(func(g *ManifestFields) { g.Data[0], g.Data[1] = g.Data[1], g.Data[0] }), ReasonManifestMismatch},
		"lists fewer data":          {lying(func(g *ManifestFields) { g.Data = g.Data[:1] }), ReasonManifestMismatch},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			// The manifest's own hash is what was pinned: only content checks fail.
			err := VerifyBatch(tc.m.Hash(), tc.m, b.messages, b.data)
			assert.Equal(t, tc.reason, RejectionReason(err), "%v", err)
		})
	}
}

func TestVerifyBatchContentNeedsAManifest(t *testing.T) {
	assert.ErrorIs(t, VerifyBatchContent(Manifest{}, nil, nil), ErrInvalidManifest)
}

func TestRejectionReason(t *testing.T) {
	assert.Equal(t, ReasonInvalidContent, RejectionReason(ErrInvalidMessage))
	assert.Equal(t, ReasonBatchHashMismatch, RejectionReason(mismatch(ReasonBatchHashMismatch, "batch", uuid.Nil, Hash{}, Hash{})))
}

func fieldsOf(h MessageHeader) MessageHeaderFields {
	group, _ := h.Group()
	f := MessageHeaderFields{ID: h.ID(), CID: h.CID(), Type: h.Type(), TxType: h.TxType(), Author: h.Author(), Key: h.Key(),
		Created: h.Created().Time(), Namespace: h.Namespace(), Topics: h.Topics(), Tag: h.Tag()}
	if h.Type().IsPrivate() {
		f.Group = &group
	}
	return f
}

func dataOf(m Message, data []Data) []Data {
	var out []Data
	for _, r := range m.Data() {
		for _, d := range data {
			if d.ID() == r.ID {
				out = append(out, d)
			}
		}
	}
	return out
}
