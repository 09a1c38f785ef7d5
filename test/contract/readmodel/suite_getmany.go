package readmodel

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
)

// testGetMany holds projections.GetMany to Get: for a store that is a
// MultiGetter that checks its GetMany, for one that is not the fallback.
// The keys outnumber an adapter's likely chunk, repeat, and mix present,
// absent and other-namespace rows, so chunking and re-alignment show.
func (s suite) testGetMany(t *testing.T) {
	st := s.store(t)
	const rows = 1300
	ids := make([]uuid.UUID, rows)
	commit(t, st, func(tx projections.Tx) {
		for i := range rows {
			ids[i] = uuid.NewSHA1(uuid.Nil, []byte(strconv.Itoa(i)))
			if i%3 == 2 {
				continue // absent
			}
			ns := "ns"
			if i%5 == 4 {
				ns = "other" // present, but in another namespace
			}
			put(t, tx, projections.MessagesTable, message(ns, ids[i], projections.StatePending), docOf(fmt.Sprintf("m%d", i)))
			put(t, tx, ThingsTable, thing(ns, strconv.Itoa(i)), docOf(i))
		}
	})
	var msgKeys, thingKeys []any
	for i := range rows {
		msgKeys = append(msgKeys, [16]byte(ids[i]))
		thingKeys = append(thingKeys, strconv.Itoa(i))
	}
	for i := 0; i < rows; i += 7 {
		// Repeats, and a uuid.UUID where the rest are [16]byte, as Get
		// accepts both.
		msgKeys = append(msgKeys, ids[i])
		thingKeys = append(thingKeys, strconv.Itoa(i))
	}
	msgKeys = append(msgKeys, uuid.New())
	thingKeys = append(thingKeys, "never put")

	for _, tc := range []struct {
		table *projections.Table
		keys  []any
	}{{projections.MessagesTable, msgKeys}, {ThingsTable, thingKeys}} {
		t.Run(tc.table.Name(), func(t *testing.T) {
			check := func(name string, docs []json.RawMessage, err error) {
				t.Helper()
				require.NoError(t, err, name)
				require.Len(t, docs, len(tc.keys), name)
				for i, k := range tc.keys {
					want := get(t, st, tc.table, "ns", k)
					if want == "" {
						assert.Nil(t, docs[i], "%s: key %d (%s) is absent", name, i, keyString(k))
					} else {
						assert.Equal(t, want, string(docs[i]), "%s: key %d (%s)", name, i, keyString(k))
					}
				}
			}
			docs, err := projections.GetMany(ctxFor(t), st, tc.table, "ns", tc.keys)
			check("projections.GetMany", docs, err)
			if m, ok := st.(projections.MultiGetter); ok {
				docs, err := m.GetMany(ctxFor(t), tc.table, "ns", tc.keys)
				check("MultiGetter.GetMany", docs, err)
				docs, err = m.GetMany(ctxFor(t), tc.table, "ns", nil)
				require.NoError(t, err)
				assert.Empty(t, docs, "no keys, no documents")
			}
		})
	}

	require.NoError(t, st.Close())
	_, err := projections.GetMany(ctxFor(t), st, ThingsTable, "ns", []any{"1"})
	assert.Error(t, err, "GetMany after Close")
}
