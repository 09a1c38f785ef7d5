package projector_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/projections/search/projector"
)

// A data item whose row changes after a batch read it (its node stores it
// again with another value) gives its message the new row, not the text
// the projector remembered, even when the change comes in the batch that
// decides the message, after the decision.
func TestRememberedTextsFollowChangedRows(t *testing.T) {
	ctx := context.Background()
	cat := catalogue.Default()
	payloads, ns := simulatedPayloads(t, 5, 30)

	// A received message with data, and its confirmation.
	confirmations := map[[16]byte]int{}
	for i, p := range payloads {
		if c, ok := p.(catalogue.MessageConfirmed); ok && c.Namespace == ns {
			if _, seen := confirmations[c.MessageID]; !seen {
				confirmations[c.MessageID] = i
			}
		}
	}
	var msg protocol.Message
	confirmed := -1
	for i, p := range payloads {
		br, ok := p.(catalogue.BatchReceived)
		if !ok || br.Namespace != ns || confirmed >= 0 {
			continue
		}
		for _, raw := range br.Messages {
			m, err := protocol.UnmarshalMessage(raw)
			if c, ok := confirmations[m.ID()]; err == nil && ok && c > i && len(m.Data()) > 0 {
				msg, confirmed = m, c
				break
			}
		}
	}
	require.GreaterOrEqual(t, confirmed, 0, "the history confirms a received message with data")
	item := msg.Data()[0].ID
	replaced, err := protocol.NewData(protocol.DataFields{ID: item, Value: json.RawMessage(`{"note":"replaced words"}`)})
	require.NoError(t, err)
	payloads = slices.Insert(payloads, confirmed+1, catalogue.Payload(catalogue.DataStored{Namespace: ns, Data: replaced}))
	log := asEvents(t, payloads)

	rm, views := readModelOf(t, log, len(log))
	ref := newRecordingIndex()
	require.NoError(t, projector.New(ref, rm, nil, cat, projector.Options{Progress: views}).Apply(ctx, log, false))

	// One event a batch, so that the item's text is remembered, then the
	// confirmation and the change in one batch, then the rest.
	rm2, views2 := readModelOf(t, log, 0)
	got := newRecordingIndex()
	p := projector.New(got, rm2, nil, cat, projector.Options{Progress: views2})
	apply := func(from, to int) {
		require.NoError(t, views2.ApplyEvents(ctx, log[from:to]))
		require.NoError(t, p.Apply(ctx, log[from:to], false))
	}
	for i := range confirmed {
		apply(i, i+1)
	}
	apply(confirmed, confirmed+2)
	apply(confirmed+2, len(log))

	assert.Equal(t, ref.docs, got.docs)
	assert.Equal(t, "replaced words", got.docs[search.Key(ns, search.Data, item.String())].Text)
	m, ok := got.docs[search.Key(ns, search.Messages, msg.Header().ID().String())]
	require.True(t, ok, "the message is indexed")
	assert.NotContains(t, m.Text, "replaced", "the message names the item's first hash")
	assertMatchesReadModel(t, got, rm2, ns)
}
