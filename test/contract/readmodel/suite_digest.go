package readmodel

import (
	"math/rand"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

type tableRow struct {
	tb  *projections.Table
	row query.Row
	doc []byte
}

func digest(t *testing.T, st projections.Store) string {
	t.Helper()
	d, err := st.Digest(ctxFor(t))
	require.NoError(t, err)
	require.NotEmpty(t, d)
	return d
}

// testDigest: two stores given the same rows and checkpoints, in other
// orders, transactions and spellings, have the same digest; any difference
// in a value, a document or a checkpoint changes it.
func (s suite) testDigest(t *testing.T) {
	sd := seed(t)
	t.Logf("seed %d (replay with LM_SEED=%d)", sd, sd)
	rng := rand.New(rand.NewSource(sd))
	g := gen{rng: rng}
	var all []tableRow
	for _, tb := range Tables() {
		for i, r := range g.rows(tb, 150) {
			all = append(all, tableRow{tb, r, docOf(map[string]any{"table": tb.Name(), "row": i})})
		}
	}
	cps := map[string]event.Position{"things.v1": 150, "messages.v1": 7}

	a, b := s.store(t), s.store(t)
	empty := digest(t, a)
	assert.Equal(t, empty, digest(t, b), "two empty stores")

	commit(t, a, func(tx projections.Tx) {
		for _, r := range all {
			put(t, tx, r.tb, r.row, r.doc)
		}
		for p, pos := range cps {
			require.NoError(t, tx.SetCheckpoint(p, pos))
		}
	})
	assert.NotEqual(t, empty, digest(t, a))

	// b: the same rows shuffled, over several transactions, some first put
	// with other content and then replaced, a rolled-back transaction, and
	// checkpoints that move forward. NULL is spelled by a missing field
	// rather than nil, and times in another zone.
	shuffled := append([]tableRow(nil), all...)
	rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	tx, err := b.Begin(ctxFor(t))
	require.NoError(t, err)
	put(t, tx, shuffled[0].tb, shuffled[0].row, docOf("rolled back"))
	require.NoError(t, tx.SetCheckpoint("things.v1", 999))
	require.NoError(t, tx.Rollback())
	for len(shuffled) > 0 {
		n := min(1+rng.Intn(100), len(shuffled))
		commit(t, b, func(tx projections.Tx) {
			for _, r := range shuffled[:n] {
				if rng.Intn(5) == 0 {
					put(t, tx, r.tb, r.row, docOf("an earlier version"))
				}
				put(t, tx, r.tb, respell(r.row), r.doc)
			}
			require.NoError(t, tx.SetCheckpoint("messages.v1", 1))
		})
		shuffled = shuffled[n:]
	}
	commit(t, b, func(tx projections.Tx) {
		for p, pos := range cps {
			require.NoError(t, tx.SetCheckpoint(p, pos))
		}
	})
	want := digest(t, a)
	require.Equal(t, want, digest(t, b), "same rows, other order: same digest")

	// Change one thing at a time in b, then put it back.
	first := all[0]
	for _, c := range []struct {
		what  string
		field string
		value any
	}{
		{"a value", "amount", int64(123456789)},
		{"a NULL", "label", nil},
		{"a time by 1ns", "at", time.Date(2024, 5, 1, 12, 0, 0, 1, time.UTC)},
		{"a list element", "tags", []string{"changed"}},
		{"an empty list for NULL, or the reverse", "tags", emptyOrNull(first.row["tags"])},
	} {
		if reflect.DeepEqual(first.row[c.field], c.value) {
			continue // the row had that value already
		}
		changed := copyRow(first.row)
		changed[c.field] = c.value
		commit(t, b, func(tx projections.Tx) { put(t, tx, first.tb, changed, first.doc) })
		assert.NotEqual(t, want, digest(t, b), "%s changed", c.what)
		commit(t, b, func(tx projections.Tx) { put(t, tx, first.tb, first.row, first.doc) })
		require.Equal(t, want, digest(t, b), "%s put back", c.what)
	}
	commit(t, b, func(tx projections.Tx) { put(t, tx, first.tb, first.row, docOf("other")) })
	assert.NotEqual(t, want, digest(t, b), "a document changed")
	commit(t, b, func(tx projections.Tx) { put(t, tx, first.tb, first.row, first.doc) })
	commit(t, b, func(tx projections.Tx) { require.NoError(t, tx.SetCheckpoint("things.v1", 151)) })
	assert.NotEqual(t, want, digest(t, b), "a checkpoint changed")
	commit(t, b, func(tx projections.Tx) { require.NoError(t, tx.SetCheckpoint("other.v1", 1)) })
	assert.NotEqual(t, want, digest(t, b), "a checkpoint added")
}

// respell writes the same row differently: NULL as a missing field, times
// in another zone.
func respell(r query.Row) query.Row {
	out := query.Row{}
	for k, v := range r {
		switch v := v.(type) {
		case nil:
			continue
		case time.Time:
			out[k] = v.In(time.FixedZone("", 3*3600+1800))
		default:
			out[k] = v
		}
	}
	return out
}

func copyRow(r query.Row) query.Row {
	out := make(query.Row, len(r))
	for k, v := range r {
		out[k] = v
	}
	return out
}

// emptyOrNull is the empty list for NULL, and NULL for anything else: a
// list that is NULL and a list that is empty match the same filters, but
// they are not the same value.
func emptyOrNull(v any) any {
	if l, ok := v.([]string); ok && l != nil {
		return nil
	}
	return []string{}
}
