package projector_test

import (
	"context"
	"encoding/json"
	"math/rand"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
	"github.com/ledgermirror/ledgermirror/projections/search"
	"github.com/ledgermirror/ledgermirror/projections/search/projector"
)

// readModelOf returns a read model and its runner, with log applied up to
// n events.
func readModelOf(t *testing.T, log []event.Event, n int) (*memstore.Store, *projections.Runner) {
	t.Helper()
	rm := memstore.New()
	r, err := projections.NewRunner(nil, rm, catalogue.Default(), projections.RunnerOptions{}, projections.All()...)
	require.NoError(t, err)
	if n > 0 {
		require.NoError(t, r.ApplyEvents(context.Background(), log[:n]))
	}
	return rm, r
}

// The index holds the same documents however the log was split into
// batches, however far the index lagged behind the read model, and across
// restarts that index events again; and a rebuild from 0 over the finished
// read model gives them too.
func TestReplaysGiveTheSameDocuments(t *testing.T) {
	ctx := context.Background()
	cat := catalogue.Default()
	keptConfirmed := 0
	for seed := int64(1); seed <= 4; seed++ {
		payloads, ns := simulatedPayloads(t, seed, 60)
		log := asEvents(t, payloads)

		// Reference: the read model complete, the log indexed in one batch.
		rm, views := readModelOf(t, log, len(log))
		ref := newRecordingIndex()
		require.NoError(t, projector.New(ref, rm, nil, cat, projector.Options{Progress: views}).Apply(ctx, log, false))
		require.NotEmpty(t, ref.docs)

		// Interleaved: random batches, the index behind the read model, and
		// restarts that rewind the index a little.
		rng := rand.New(rand.NewSource(seed))
		rm2, views2 := readModelOf(t, log, 0)
		got := newRecordingIndex()
		var progress projector.Progress = views2
		if seed%2 == 0 {
			progress = positionsOnly{views2} // polled, as a generation.Set is
		}
		p := projector.New(got, rm2, nil, cat, projector.Options{Progress: progress})
		projected, indexed := 0, 0
		for indexed < len(log) {
			if projected < len(log) {
				n := min(projected+1+rng.Intn(40), len(log))
				require.NoError(t, views2.ApplyEvents(ctx, log[projected:n]))
				projected = n
			}
			if rng.Intn(3) == 0 {
				continue // the index lags
			}
			if rng.Intn(8) == 0 {
				p = projector.New(got, rm2, nil, cat, projector.Options{Progress: progress})
				indexed = max(0, indexed-rng.Intn(30))
			}
			n := min(indexed+1+rng.Intn(40), projected)
			require.NoError(t, p.Apply(ctx, log[indexed:n], rng.Intn(2) == 0))
			indexed = n
		}
		assert.Equal(t, ref.docs, got.docs, "seed %d: interleaved", seed)
		assert.Equal(t, uint64(len(log)), got.checkpoints[projector.Name])

		// Rebuild: a fresh index over the finished read model, reading its
		// durable checkpoints (no Progress).
		rebuilt := newRecordingIndex()
		p = projector.New(rebuilt, rm2, nil, cat, projector.Options{})
		for from := 0; from < len(log); from += 500 {
			require.NoError(t, p.Apply(ctx, log[from:min(from+500, len(log))], false))
		}
		assert.Equal(t, ref.docs, rebuilt.docs, "seed %d: rebuilt", seed)

		assertMatchesReadModel(t, ref, rm, ns)
		keptConfirmed += confirmedDespiteRejectedCopy(t, ref, log, ns)
	}
	assert.Positive(t, keptConfirmed, "the histories pin some batch twice: a confirmed message with a rejected copy")
}

// assertMatchesReadModel checks one document per data row and per decided
// message row (a pending message has one only if a decision of it was
// revoked), each with the row's state, and message texts made of their
// data's texts.
func assertMatchesReadModel(t *testing.T, idx *recordingIndex, rm projections.Store, ns string) {
	t.Helper()
	messages := rowsOf(t, rm, projections.MessagesTable, ns)
	data := rowsOf(t, rm, projections.DataTable, ns)
	require.NotEmpty(t, messages)
	require.NotEmpty(t, data)
	withText, indexed := 0, 0
	for id, raw := range messages {
		var row projections.MessageDoc
		require.NoError(t, json.Unmarshal(raw, &row))
		doc, ok := idx.docs[search.Key(ns, search.Messages, id)]
		if !ok && row.State == projections.StatePending {
			continue
		}
		if !assert.True(t, ok, "message %s (%s) is indexed", id, row.State) {
			continue
		}
		indexed++
		assert.Equal(t, []string{row.State}, doc.Fields["state"], "message %s", id)
		var parts []string
		for _, ref := range row.Data {
			if d, ok := idx.docs[search.Key(ns, search.Data, ref.ID.String())]; ok && d.Text != "" && dataHash(t, data[ref.ID.String()]) == ref.Hash.String() {
				parts = append(parts, d.Text)
			}
		}
		assert.Equal(t, strings.Join(parts, "\n"), doc.Text, "message %s: the text of its data", id)
		if doc.Text != "" {
			withText++
		}
	}
	assert.Positive(t, withText, "some messages have text")
	assert.Len(t, idx.docs, indexed+len(data), "one document per data row and per indexed message")
	for id, raw := range data {
		doc, ok := idx.docs[search.Key(ns, search.Data, id)]
		if assert.True(t, ok, "data %s is indexed", id) {
			var row struct {
				Value json.RawMessage `json:"value"`
			}
			require.NoError(t, json.Unmarshal(raw, &row))
			assert.Equal(t, search.FlattenJSON(row.Value), doc.Text)
		}
	}
}

func dataHash(t *testing.T, raw json.RawMessage) string {
	var row struct {
		Hash string `json:"hash"`
	}
	require.NoError(t, json.Unmarshal(raw, &row))
	return row.Hash
}

// confirmedDespiteRejectedCopy counts the messages confirmed and then
// rejected as a duplicate (another copy), checking each is indexed
// confirmed.
func confirmedDespiteRejectedCopy(t *testing.T, idx *recordingIndex, log []event.Event, ns string) int {
	t.Helper()
	cat := catalogue.Default()
	confirmed := map[string]bool{}
	n := 0
	for _, ev := range log {
		p, err := cat.Decode(ev)
		require.NoError(t, err)
		switch v := p.(type) {
		case catalogue.MessageConfirmed:
			confirmed[v.MessageID.String()] = true
		case catalogue.DecisionRevoked:
			delete(confirmed, v.MessageID.String())
		case catalogue.MessageRejected:
			id := v.MessageID.String()
			if confirmed[id] && v.Reason == catalogue.RejectDuplicateMessageID {
				n++
				assert.Equal(t, []string{projections.StateConfirmed}, idx.docs[search.Key(ns, search.Messages, id)].Fields["state"],
					"message %s stays confirmed after its copy's rejection", id)
			}
		}
	}
	return n
}

// positionsOnly hides the runner's WaitFor.
type positionsOnly struct{ r *projections.Runner }

func (p positionsOnly) Positions() map[string]event.Position { return p.r.Positions() }

var _ projector.Waiter = (*projections.Runner)(nil)
