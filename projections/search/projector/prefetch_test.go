package projector_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/search/projector"
)

// getOnly hides a store's GetMany: the builder then reads row by row.
type getOnly struct{ projections.Store }

// A builder that prefetches rows with GetMany indexes the same documents,
// in the same order, as one that reads them with Get: over the SQLite read
// model (a MultiGetter) and the same store without GetMany, batch by batch
// as a node indexes while the read model fills.
func TestGetManyGivesTheSameDocuments(t *testing.T) {
	ctx := context.Background()
	cat := catalogue.Default()
	for seed := int64(1); seed <= 3; seed++ {
		payloads, _ := simulatedPayloads(t, seed, 60)
		log := asEvents(t, payloads)
		rm, err := sqlite.Open(ctx, sqlite.Config{Path: filepath.Join(t.TempDir(), "readmodel.db")}, projections.Tables(), zerolog.Nop())
		require.NoError(t, err)
		t.Cleanup(func() { _ = rm.Close() })
		require.Implements(t, (*projections.MultiGetter)(nil), rm)
		views, err := projections.NewRunner(nil, rm, cat, projections.RunnerOptions{}, projections.All()...)
		require.NoError(t, err)

		many, one := newRecordingIndex(), newRecordingIndex()
		pMany := projector.New(many, rm, nil, cat, projector.Options{Progress: views})
		pOne := projector.New(one, getOnly{rm}, nil, cat, projector.Options{Progress: views})
		for from := 0; from < len(log); from += 37 {
			batch := log[from:min(from+37, len(log))]
			require.NoError(t, views.ApplyEvents(ctx, batch))
			require.NoError(t, pMany.Apply(ctx, batch, false))
			require.NoError(t, pOne.Apply(ctx, batch, false))
		}
		require.NotEmpty(t, one.docs)
		assert.Equal(t, one.docs, many.docs, "seed %d", seed)
		assert.Equal(t, one.order, many.order, "seed %d: indexing order", seed)
	}
}

// The builder's light parse of a stored message row gives what the strict
// parse (protocol.UnmarshalMessageHeader, protocol.DataRef's UnmarshalJSON)
// gives, on every message row of simulated histories and of the
// benchmark's messages (which have tags and other topics).
func TestLightParseMatchesStrict(t *testing.T) {
	tagged := 0
	for seed := int64(0); seed <= 4; seed++ {
		payloads, ns := sentMessages(t, 300), "default"
		if seed > 0 {
			payloads, ns = simulatedPayloads(t, seed, 60)
		}
		rm, _ := readModelOf(t, asEvents(t, payloads), len(payloads))
		rows := rowsOf(t, rm, projections.MessagesTable, ns)
		require.NotEmpty(t, rows)
		for key, raw := range rows {
			id := uuid.MustParse(key)
			fields, created, refs, err := projector.MessageFields(id, raw)
			require.NoError(t, err, key)

			var strict struct {
				Header json.RawMessage    `json:"header"`
				Data   []protocol.DataRef `json:"data"`
				State  string             `json:"state"`
			}
			require.NoError(t, json.Unmarshal(raw, &strict), key)
			h, err := protocol.UnmarshalMessageHeader(strict.Header)
			require.NoError(t, err, key)
			want := map[string][]string{
				"author": {h.Author().String()},
				"type":   {string(h.Type())},
				"state":  {strict.State},
				"topics": h.Topics(),
			}
			if tag := h.Tag(); tag != "" {
				want["tag"] = []string{tag}
				tagged++
			}
			assert.Equal(t, want, fields, key)
			wantTime := h.Created().Time().UTC()
			assert.Equal(t, wantTime, created, key)
			assert.True(t, wantTime.Equal(created) && wantTime.Location() == created.Location(), key)
			if len(strict.Data) == 0 {
				assert.Empty(t, refs, key)
			} else {
				assert.Equal(t, strict.Data, refs, key)
			}
		}
	}
	assert.Positive(t, tagged, "some rows have a tag")
}
