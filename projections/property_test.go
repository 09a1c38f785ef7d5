package projections_test

import (
	"context"
	"encoding/json"
	"math/rand"
	"net/url"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/aggregator/simulation"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// memberLog is one member's event log for a simulated history: its inputs
// in a random arrival order, each followed by the aggregator's decisions,
// with positions and recorded times as a store would assign them.
func memberLog(t testing.TB, seed int64) ([]event.Event, string) {
	t.Helper()
	h := simulation.Generate(seed, simulation.Options{Batches: 60})
	rng := rand.New(rand.NewSource(seed))
	agg, err := aggregator.New(h.Config)
	require.NoError(t, err)
	cat := catalogue.Default()
	var log []event.Event
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	add := func(p catalogue.Payload) {
		proposed, err := cat.Encode(uuid.NewSHA1(uuid.Nil, []byte(strconv.Itoa(len(log)))), p, event.Metadata{})
		require.NoError(t, err)
		pos := event.Position(len(log) + 1)
		log = append(log, event.Event{ID: proposed.ID, Stream: "s", Revision: event.Revision(pos), Position: pos,
			Type: proposed.Type, Version: proposed.Version, Recorded: base.Add(time.Duration(pos) * time.Millisecond),
			Data: proposed.Data, Metadata: proposed.Metadata})
	}
	for _, in := range h.Inputs(0, rng) {
		add(in)
		out, err := agg.Apply(in)
		if err != nil {
			continue // ignored inputs are recorded and skipped the same way every time
		}
		for _, o := range out {
			add(o)
		}
	}
	return log, h.Config.Namespace
}

// project runs every projector over log, split into transactions at random.
func project(t *testing.T, ns string, log []event.Event, rng *rand.Rand, restartAt int) string {
	t.Helper()
	rm := memstore.New()
	run := func(events []event.Event) {
		r, err := projections.NewRunner(nil, rm, catalogue.Default(), projections.RunnerOptions{}, projections.All()...)
		require.NoError(t, err)
		for len(events) > 0 {
			n := min(1+rng.Intn(50), len(events))
			require.NoError(t, r.ApplyEvents(context.Background(), events[:n]))
			events = events[n:]
		}
	}
	// A restart part-way re-reads some events already applied: the
	// checkpoints must make that harmless.
	run(log[:restartAt])
	run(log[max(0, restartAt-20):])
	digest, err := rm.Digest(context.Background())
	require.NoError(t, err)
	q, err := query.Parse(projections.MessagesTable.Collection(), url.Values{"state": {"confirmed"}, "count": {"true"}})
	require.NoError(t, err)
	_, confirmed, err := rm.Find(context.Background(), projections.MessagesTable, ns, q)
	require.NoError(t, err)
	require.Positive(t, confirmed, "the history confirms messages")
	assertConfirmedAsDecided(t, rm, ns, log)
	return digest
}

// assertConfirmedAsDecided checks that the messages shown confirmed are
// exactly those whose confirmation stands in log: a rejected later copy
// (a batch pinned twice) must not hide a confirmation, and the revocation
// of another copy's decision must not undo it.
func assertConfirmedAsDecided(t *testing.T, rm *memstore.Store, ns string, log []event.Event) {
	t.Helper()
	cat := catalogue.Default()
	standing := map[uuid.UUID]catalogue.ChainLocation{}
	duplicates := 0
	for _, ev := range log {
		p, err := cat.Decode(ev)
		require.NoError(t, err)
		switch v := p.(type) {
		case catalogue.MessageConfirmed:
			standing[v.MessageID] = v.Location
		case catalogue.MessageRejected:
			if v.Reason == catalogue.RejectDuplicateMessageID {
				duplicates++
			}
		case catalogue.DecisionRevoked:
			if loc, ok := standing[v.MessageID]; ok && v.Decision == catalogue.DecisionConfirmed && loc == v.Location {
				delete(standing, v.MessageID)
			}
		}
	}
	q, err := query.Parse(projections.MessagesTable.Collection(), url.Values{"state": {"confirmed"}, "limit": {"1000"}})
	require.NoError(t, err)
	rows, _, err := rm.Find(context.Background(), projections.MessagesTable, ns, q)
	require.NoError(t, err)
	shown := map[uuid.UUID]bool{}
	for _, raw := range rows {
		var d struct {
			Header struct {
				ID uuid.UUID `json:"id"`
			} `json:"header"`
		}
		require.NoError(t, json.Unmarshal(raw, &d))
		shown[d.Header.ID] = true
	}
	for id := range standing {
		assert.True(t, shown[id], "message %s is confirmed in the log, not in the projection (%d duplicate rejections)", id, duplicates)
	}
	assert.Len(t, shown, len(standing), "the projection shows as confirmed only messages the log confirms")

	// The app-facing list agrees: a message's last event is its confirmation
	// exactly when it shows confirmed.
	last := map[string]string{}
	for skip := 0; ; skip += 1000 {
		q, err := query.Parse(projections.EventsTable.Collection(), url.Values{"sort": {"sequence"}, "skip": {strconv.Itoa(skip)},
			"limit": {"1000"}, "type": {"@message_confirmed,message_rejected,message_decision_revoked"}})
		require.NoError(t, err)
		page, _, err := rm.Find(context.Background(), projections.EventsTable, ns, q)
		require.NoError(t, err)
		for _, raw := range page {
			var e projections.EventDoc
			require.NoError(t, json.Unmarshal(raw, &e))
			last[e.Reference] = e.Type
		}
		if len(page) < 1000 {
			break
		}
	}
	for ref, typ := range last {
		id := uuid.MustParse(ref)
		assert.Equal(t, shown[id], typ == projections.EventMessageConfirmed, "message %s: last event %s", ref, typ)
	}
	for id := range shown {
		assert.Equal(t, projections.EventMessageConfirmed, last[id.String()], "message %s has no confirmation event", id)
	}
}

func TestProjectionsAreTheSameAfterEveryReplay(t *testing.T) {
	seeds := []int64{1, 2, 3}
	if s := os.Getenv("LM_SEED"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		require.NoError(t, err)
		seeds = []int64{n}
	} else {
		seeds = append(seeds, time.Now().UnixNano())
	}
	for _, seed := range seeds {
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			log, ns := memberLog(t, seed)
			require.NotEmpty(t, log)
			rng := rand.New(rand.NewSource(seed))
			want := project(t, ns, log, rand.New(rand.NewSource(0)), len(log))
			for range 3 {
				got := project(t, ns, log, rand.New(rand.NewSource(rng.Int63())), rng.Intn(len(log)))
				assert.Equal(t, want, got, "seed %d: a replay in other transactions gives other rows (LM_SEED=%d)", seed, seed)
			}
		})
	}
}

// applyUncached applies every projector to log in one transaction of the
// store's own Tx, without a Runner: nothing caches decoded documents, every
// update reads and parses what the one before it stored.
func applyUncached(t *testing.T, log []event.Event) string {
	t.Helper()
	ctx := context.Background()
	rm := memstore.New()
	cat := catalogue.Default()
	tx, err := rm.Begin(ctx)
	require.NoError(t, err)
	for _, ev := range log {
		p, err := cat.Decode(ev)
		require.NoError(t, err)
		for _, pr := range projections.All() {
			if slices.Contains(pr.Types(), ev.Type) {
				require.NoError(t, pr.Apply(tx, ev, p), "%s at %d", pr.Name(), ev.Position)
			}
		}
	}
	for _, pr := range projections.All() {
		require.NoError(t, tx.SetCheckpoint(pr.Name(), log[len(log)-1].Position))
	}
	require.NoError(t, tx.Commit())
	digest, err := rm.Digest(ctx)
	require.NoError(t, err)
	return digest
}

// The Runner's transactions keep the documents projectors decoded and
// wrote; the rows must be exactly those of projecting without them, in one
// transaction (every update of a message hits the cache) or in many.
func TestCachedProjectionMatchesUncached(t *testing.T) {
	for _, seed := range []int64{4, 5, time.Now().UnixNano()} {
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			log, ns := memberLog(t, seed)
			require.NotEmpty(t, log)
			want := applyUncached(t, log)

			rm := memstore.New()
			r, err := projections.NewRunner(nil, rm, catalogue.Default(), projections.RunnerOptions{}, projections.All()...)
			require.NoError(t, err)
			require.NoError(t, r.ApplyEvents(context.Background(), log))
			got, err := rm.Digest(context.Background())
			require.NoError(t, err)
			assert.Equal(t, want, got, "seed %d: one cached transaction", seed)

			assert.Equal(t, want, project(t, ns, log, rand.New(rand.NewSource(seed)), len(log)),
				"seed %d: random cached transactions", seed)
		})
	}
}
