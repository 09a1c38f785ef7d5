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

	_, seal := s.applySubmitted(submitted, true) // the view, first
	require.True(t, seal, "the first apply of an own send hands it to the sealer")
	s.decide(msg.ID(), StateConfirmed, "", time.Now(), catalogue.ChainLocation{Chain: "ethereum:1337", BlockNumber: 1})

	_, seal = s.applySubmitted(submitted, true) // Send, late
	assert.False(t, seal, "a decided message is not sealed again")
	_, pending := s.messages[msg.ID()]
	assert.False(t, pending, "a decided message does not become pending again")
	mv, decided := s.recent[msg.ID()]
	require.True(t, decided)
	assert.Equal(t, StateConfirmed, mv.State)
}
