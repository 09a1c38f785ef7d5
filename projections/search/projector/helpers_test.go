package projector_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
	"github.com/ledgermirror/ledgermirror/projections/search"
)

// simulatedPayloads is one member's log of a simulated network history:
// received batches (some pinned twice, some tampered with), pins, reorgs,
// and the aggregator's decisions and revocations.
func simulatedPayloads(t testing.TB, seed int64, batches int) ([]catalogue.Payload, string) {
	t.Helper()
	out, cfg, err := simulation.Log(seed, simulation.Options{Batches: batches})
	require.NoError(t, err)
	return out, cfg.Namespace
}

// asEvents gives payloads the positions and times a store would.
func asEvents(t testing.TB, payloads []catalogue.Payload) []event.Event {
	t.Helper()
	cat := catalogue.Default()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	log := make([]event.Event, len(payloads))
	for i, p := range payloads {
		proposed, err := cat.Encode(uuid.NewSHA1(uuid.Nil, []byte(strconv.Itoa(i))), p, event.Metadata{})
		require.NoError(t, err)
		pos := event.Position(i + 1)
		log[i] = event.Event{ID: proposed.ID, Stream: "s", Revision: event.Revision(pos), Position: pos,
			Type: proposed.Type, Version: proposed.Version, Recorded: base.Add(time.Duration(pos) * time.Millisecond),
			Data: proposed.Data, Metadata: proposed.Metadata}
	}
	return log
}

// recordingIndex is a search.Index that keeps the documents as given, so
// that two runs can be compared exactly. It does not search.
type recordingIndex struct {
	mu          sync.Mutex
	docs        map[string]search.Document
	order       []string // the keys of the documents given to Index, in order
	checkpoints map[string]uint64
	// fail makes the next Index calls fail (a cluster away).
	fail int
}

func newRecordingIndex() *recordingIndex {
	return &recordingIndex{docs: map[string]search.Document{}, checkpoints: map[string]uint64{}}
}

func (x *recordingIndex) Index(_ context.Context, docs ...search.Document) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.fail > 0 {
		x.fail--
		return errUnavailable
	}
	docs, err := search.PrepareBatch(docs)
	if err != nil {
		return err
	}
	for _, d := range docs {
		x.docs[d.Key()] = d
		x.order = append(x.order, d.Key())
	}
	return nil
}

func (x *recordingIndex) Delete(_ context.Context, ns string, kind search.Kind, ids ...string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, id := range ids {
		delete(x.docs, search.Key(ns, kind, id))
	}
	return nil
}

func (x *recordingIndex) Search(context.Context, search.Request) (search.Result, error) {
	return search.Result{}, errUnavailable
}

func (x *recordingIndex) Flush(context.Context) error { return nil }
func (x *recordingIndex) Close() error                { return nil }

func (x *recordingIndex) Checkpoint(_ context.Context, name string) (uint64, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.checkpoints[name], nil
}

func (x *recordingIndex) SetCheckpoint(_ context.Context, name string, pos uint64) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.checkpoints[name] = pos
	return nil
}

type unavailableError struct{}

func (unavailableError) Error() string { return "index unavailable" }

var errUnavailable error = unavailableError{}

// rowsOf returns the documents of every row of t in namespace ns, keyed by
// id.
func rowsOf(t testing.TB, rm projections.Store, table *projections.Table, ns string) map[string]json.RawMessage {
	t.Helper()
	out := map[string]json.RawMessage{}
	for skip := 0; ; skip += 1000 {
		q, err := query.Parse(table.Collection(), url.Values{"skip": {strconv.Itoa(skip)}, "limit": {"1000"}})
		require.NoError(t, err)
		page, _, err := rm.Find(context.Background(), table, ns, q)
		require.NoError(t, err)
		for _, raw := range page {
			var d struct {
				ID     string `json:"id"`
				Header struct {
					ID string `json:"id"`
				} `json:"header"`
			}
			require.NoError(t, json.Unmarshal(raw, &d))
			out[d.ID+d.Header.ID] = raw
		}
		if len(page) < 1000 {
			return out
		}
	}
}
