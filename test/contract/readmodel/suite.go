// Package readmodel is the contract suite of the read-model port
// (projections.Store and projections.Tx). Every adapter runs it from a
// _test.go file:
//
//	readmodel.Run(t, func(t *testing.T, tables []*projections.Table) projections.Store { ... })
//
// open returns a fresh, empty store that holds tables; the suite closes it
// when the test ends, and open registers the cleanup of anything else it
// made (t.Cleanup). An adapter is done when the suite passes.
//
// The heart of the suite is TestFind's property: on hundreds of random rows,
// Find gives what package query's reference evaluator (Query.Apply) gives,
// for hundreds of random requests parsed by query.Parse. It is seeded; the
// seed is logged, and LM_SEED replays one.
package readmodel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// ThingsTable has a field of every type, a string key, a field that is
// filterable but not sortable, and a string list: the suite's own table,
// next to projections.MessagesTable (a UUID key).
var ThingsTable = projections.NewTable("contract_things", "name", []query.Field{
	{Name: "name", Type: query.String, Sortable: true},
	{Name: "label", Type: query.String, Sortable: true},
	{Name: "note", Type: query.String},
	{Name: "amount", Type: query.Int, Sortable: true},
	{Name: "at", Type: query.Time, Sortable: true},
	{Name: "ref", Type: query.UUID, Sortable: true},
	{Name: "digest", Type: query.Hash, Sortable: true},
	{Name: "flag", Type: query.Bool, Sortable: true},
	{Name: "kind", Type: query.Enum, Enum: []string{"red", "green", "blue"}, Sortable: true},
	{Name: "tags", Type: query.StringList},
}, []query.SortKey{{Field: "at", Desc: true}})

// Tables are the tables every store the suite opens holds.
func Tables() []*projections.Table {
	return []*projections.Table{ThingsTable, projections.MessagesTable}
}

// Open opens a fresh, empty store holding tables.
type Open func(t *testing.T, tables []*projections.Table) projections.Store

// Run runs the whole contract against open, one subtest per rule.
func Run(t *testing.T, open Open) {
	require.NotNil(t, open)
	s := suite{open: open}
	for _, tc := range []struct {
		name string
		fn   func(*testing.T)
	}{
		{"PutGetReplace", s.testPutGetReplace},
		{"DocumentsAreVerbatim", s.testDocumentsAreVerbatim},
		{"RollbackLeavesNothing", s.testRollbackLeavesNothing},
		{"ReadYourWritesInsideATransaction", s.testReadYourWrites},
		{"CheckpointsCommitWithRows", s.testCheckpointsCommitWithRows},
		{"NamespacesAreIsolated", s.testNamespacesAreIsolated},
		{"GetManyEqualsGet", s.testGetMany},
		{"InvalidRows", s.testInvalidRows},
		{"TransactionsAreSerialised", s.testTransactionsAreSerialised},
		{"EndedTransaction", s.testEndedTransaction},
		{"FindEqualsReference", s.testFindEqualsReference},
		{"FindKnownCases", s.testFindKnownCases},
		{"Digest", s.testDigest},
		{"Close", s.testClose},
	} {
		t.Run(tc.name, tc.fn)
	}
}

type suite struct{ open Open }

// store opens a fresh store with the suite's tables, closed when the test ends.
func (s suite) store(t *testing.T) projections.Store {
	t.Helper()
	st := s.open(t, Tables())
	require.NotNil(t, st)
	t.Cleanup(func() { _ = st.Close() })
	return st
}

func ctxFor(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// thing is a valid row of ThingsTable with every field set.
func thing(ns, name string) query.Row {
	return query.Row{
		projections.NamespaceField: ns, "name": name, "label": "Label " + name, "note": "a note",
		"amount": int64(len(name)), "at": time.Date(2024, 5, 1, 12, 0, 0, 123456789, time.UTC),
		"ref": [16]byte{1, 2, 3}, "digest": [32]byte{0xab, 31: 1}, "flag": true, "kind": "green",
		"tags": []string{"x", "y"},
	}
}

func docOf(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// commit runs fn in one transaction and commits it.
func commit(t *testing.T, st projections.Store, fn func(tx projections.Tx)) {
	t.Helper()
	tx, err := st.Begin(ctxFor(t))
	require.NoError(t, err)
	fn(tx)
	require.NoError(t, tx.Commit())
}

func put(t *testing.T, tx projections.Tx, tb *projections.Table, row query.Row, doc json.RawMessage) {
	t.Helper()
	require.NoError(t, tx.Put(tb, row, doc), "put %v", row)
}

// get reads a committed document, as a string ("" when absent).
func get(t *testing.T, st projections.Store, tb *projections.Table, ns string, key any) string {
	t.Helper()
	doc, found, err := st.Get(ctxFor(t), tb, ns, key)
	require.NoError(t, err)
	if !found {
		return ""
	}
	require.NotEmpty(t, doc, "a found row has a document")
	return string(doc)
}

func txGet(t *testing.T, tx projections.Tx, tb *projections.Table, ns string, key any) string {
	t.Helper()
	doc, found, err := tx.Get(tb, ns, key)
	require.NoError(t, err)
	if !found {
		return ""
	}
	return string(doc)
}

// find runs a request given as query parameters.
func find(t *testing.T, st projections.Store, tb *projections.Table, ns string, params string) ([]string, int) {
	t.Helper()
	q := parse(t, tb, params)
	docs, total, err := st.Find(ctxFor(t), tb, ns, q)
	require.NoError(t, err, "find %s", params)
	out := make([]string, len(docs))
	for i, d := range docs {
		out[i] = string(d)
	}
	return out, total
}

func parse(t *testing.T, tb *projections.Table, params string) query.Query {
	t.Helper()
	v, err := url.ParseQuery(params)
	require.NoError(t, err)
	q, err := query.Parse(tb.Collection(), v)
	require.NoError(t, err, "parse %s", params)
	return q
}

func keyString(v any) string { return fmt.Sprintf("%T:%v", v, v) }
