package projections_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	evsqlite "github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/memstore"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// TestRunnerCatchesUpThenFollows: the events the store held when Run
// started are applied in catch-up batches, the later ones live, and
// WaitFor answers only once the runner knows its positions.
func TestRunnerCatchesUpThenFollows(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	store, err := evsqlite.Open(ctx, evsqlite.Config{Path: filepath.Join(t.TempDir(), "events.db")}, zerolog.Nop())
	require.NoError(t, err)
	defer func() { _ = store.Close() }()
	cat := catalogue.Default()
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	appendOps := func(n int) event.Position {
		var last event.Position
		for range n {
			id := uuid.New()
			ev, err := cat.Encode(uuid.New(), catalogue.OperationRecorded{Namespace: "default", ID: id,
				Type: "blockchain_pin_batch", BatchID: uuid.New(), Target: "ethereum", Status: "succeeded",
				Attempts: 1, Created: at, Updated: at}, event.Metadata{})
			require.NoError(t, err)
			res, err := store.Append(ctx, catalogue.OperationStream(id), event.NoStream(), ev)
			require.NoError(t, err)
			last = res.LastPosition
		}
		return last
	}
	head := appendOps(25)

	rm := memstore.New()
	r, err := projections.NewRunner(store, rm, cat, projections.RunnerOptions{CatchUpBatchSize: 7, BatchSize: 3},
		projections.Operations{})
	require.NoError(t, err)
	early, cancelEarly := context.WithTimeout(ctx, 50*time.Millisecond)
	assert.ErrorIs(t, r.WaitFor(early, 0), context.DeadlineExceeded, "positions not loaded yet")
	cancelEarly()

	ran := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { ran <- r.Run(runCtx) }()
	require.NoError(t, r.WaitFor(ctx, head))
	assert.Equal(t, 25, countOps(t, rm))

	head = appendOps(10)
	require.NoError(t, r.WaitFor(ctx, head))
	assert.Equal(t, 35, countOps(t, rm))
	assert.Equal(t, head, r.Positions()[projections.Operations{}.Name()])
	stop()
	require.NoError(t, <-ran)
}

func countOps(t *testing.T, rm projections.Store) int {
	t.Helper()
	q, qerr := query.Parse(projections.OperationsTable.Collection(), map[string][]string{"count": {"true"}})
	require.Nil(t, qerr)
	_, total, err := rm.Find(context.Background(), projections.OperationsTable, "default", q)
	require.NoError(t, err)
	return total
}
