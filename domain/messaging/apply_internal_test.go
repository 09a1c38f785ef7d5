package messaging

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// TestLateOwnSubmitDoesNotResealADecidedMessage: Send and the node view
// both apply a MessageSubmitted of this node. When the view takes the
// message through sealing and its decision before Send's own apply comes
// (its goroutine descheduled right after the Append), the late apply must
// neither make the message pending again nor hand it to the sealer a
// second time: that sealed it into a second batch, which every member then
// rejected as a duplicate message id.
func TestLateOwnSubmitDoesNotResealADecidedMessage(t *testing.T) {
	s, submitted := newOwnSubmit(t)
	msg := submitted.Message
	const pos = 42 // where the Append put the MessageSubmitted
	// The view applies it first.
	_, seal := s.applySubmitted(submitted, true, pos, false)
	require.True(t, seal, "the first apply of an own send hands it to the sealer")
	s.decide(msg.ID(), StateConfirmed, "", time.Now(), catalogue.ChainLocation{Chain: "ethereum:1337", BlockNumber: 1})

	_, seal = s.applySubmitted(submitted, true, pos, true) // Send, late
	assert.False(t, seal, "a decided message is not sealed again")
	_, pending := s.messages[msg.ID()]
	assert.False(t, pending, "a decided message does not become pending again")
	mv, decided := s.recent[msg.ID()]
	require.True(t, decided)
	assert.Equal(t, StateConfirmed, mv.State)

	// The same once the decision has left the recent ones (after thousands
	// of later decisions, or a revocation): the view's position still says
	// the message was handed on.
	delete(s.recent, msg.ID())
	_, seal = s.applySubmitted(submitted, true, pos, true)
	assert.False(t, seal, "a message the view applied is not sealed again by Send")
	_, pending = s.messages[msg.ID()]
	assert.False(t, pending)
}

// TestOwnSubmitAppliedBySendFirst: in the usual order Send applies its own
// message first and hands it to the sealer; the view then knows it.
func TestOwnSubmitAppliedBySendFirst(t *testing.T) {
	s, submitted := newOwnSubmit(t)
	_, seal := s.applySubmitted(submitted, true, 7, true) // Send
	assert.True(t, seal)
	_, seal = s.applySubmitted(submitted, true, 7, false) // the view
	assert.False(t, seal, "the view does not hand it on a second time")
}

// newOwnSubmit returns a leading service of org1 and a MessageSubmitted of
// its own.
func newOwnSubmit(t *testing.T) (*Service, catalogue.MessageSubmitted) {
	t.Helper()
	org, err := protocol.NewOrgDID("org1")
	require.NoError(t, err)
	key, err := protocol.NewSigningKey([protocol.SigningKeySize]byte{1})
	require.NoError(t, err)
	d, err := protocol.NewData(protocol.DataFields{ID: uuid.New(), Value: []byte(`{"a":1}`)})
	require.NoError(t, err)
	msg, err := protocol.BuildMessage(protocol.MessageHeaderFields{ID: uuid.New(), Type: protocol.MessageTypeBroadcast,
		TxType: protocol.TxTypeBatchPin, Author: org, Key: key, Created: time.Now(),
		Namespace: "default", Topics: []string{"t"}}, []protocol.DataRef{d.Ref()})
	require.NoError(t, err)
	submitted := catalogue.MessageSubmitted{Message: msg, Data: []protocol.Data{d}}

	s := &Service{ns: "default", self: Self{Org: org}, leading: true,
		messages: map[uuid.UUID]*MessageView{}, recent: map[uuid.UUID]*MessageView{}, waiters: map[uuid.UUID][]chan struct{}{},
		data: map[uuid.UUID]protocol.Data{}, inline: map[uuid.UUID]protocol.Data{}, used: map[uuid.UUID]bool{},
		pendingDef: map[definitionKey]uuid.UUID{}}
	return s, submitted
}

// TestRevokedDecisionLeavesTheRecentOnes: a decision revoked by a reorg and
// taken again keeps one place among the recent decisions, so it is not
// evicted early by its own stale entry.
func TestRevokedDecisionLeavesTheRecentOnes(t *testing.T) {
	s, submitted := newOwnSubmit(t)
	id := submitted.Message.ID()
	_, seal := s.applySubmitted(submitted, true, 1, false)
	require.True(t, seal)
	first := catalogue.ChainLocation{Chain: "ethereum:1337", BlockNumber: 1}
	s.decide(id, StateConfirmed, "", time.Now(), first)
	s.decide(id, StatePending, "", time.Time{}, first) // revoked
	_, pending := s.messages[id]
	require.True(t, pending, "a revoked decision makes the message pending again")
	assert.NotContains(t, s.recentFIFO, id)
	s.decide(id, StateConfirmed, "", time.Now(), catalogue.ChainLocation{Chain: "ethereum:1337", BlockNumber: 2})
	assert.Equal(t, []uuid.UUID{id}, s.recentFIFO, "one place among the recent decisions")
}
