package chainbench

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/chain"
)

func TestOptionsValidate(t *testing.T) {
	for name, opts := range map[string]Options{
		"negative pins":      {Pins: -1},
		"too many pins":      {Pins: maxPins + 1},
		"negative contexts":  {Contexts: -5},
		"too many contexts":  {Contexts: 1001},
		"negative workers":   {Workers: -1},
		"too many workers":   {Workers: maxWorkers + 1},
		"negative commit":    {CommitEvery: -1},
		"negative geth pins": {GethPins: -1},
		"short stall":        {Stall: time.Millisecond},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Run(context.Background(), opts, nil)
			assert.ErrorIs(t, err, ErrInvalidOptions)
		})
	}
	opts := Options{}
	opts.setDefaults()
	assert.NoError(t, opts.validate())
	assert.Equal(t, Options{Pins: DefaultPins, Contexts: DefaultContexts, Workers: DefaultWorkers,
		CommitEvery: DefaultCommitEvery, GethPins: DefaultGethPins, Stall: DefaultStall}, opts)
}

// TestRunSimulated submits and observes a few pins; a run that does not
// observe every pin fails rather than report a figure.
func TestRunSimulated(t *testing.T) {
	var msgs []string
	results, err := Run(context.Background(), Options{Pins: 50, CommitEvery: 7}, func(m string) { msgs = append(msgs, m) })
	require.NoError(t, err)
	require.Len(t, results, 1)
	assert.Equal(t, NameSimulated, results[0].Name)
	assert.Equal(t, "pins/s", results[0].Unit)
	assert.Positive(t, results[0].Value)
	assert.NotEmpty(t, msgs)
}

func TestCheckRefusesWrongObservations(t *testing.T) {
	reqs := requests(2, 3)
	want := map[uuid.UUID]*chain.PinRequest{reqs[0].TxID: &reqs[0], reqs[1].TxID: &reqs[1]}
	seen := map[uuid.UUID]bool{}
	observed := func(r chain.PinRequest) catalogue.PinObserved {
		return catalogue.PinObserved{TxID: r.TxID, BatchID: r.BatchID, BatchHash: r.BatchHash, Contexts: r.Contexts}
	}
	require.NoError(t, check(observed(reqs[0]), want, seen))
	assert.ErrorContains(t, check(observed(reqs[0]), want, seen), "twice")
	wrongBatch := observed(reqs[1])
	wrongBatch.BatchID = reqs[0].BatchID
	assert.ErrorContains(t, check(wrongBatch, want, seen), "observed with batch")
	assert.ErrorContains(t, check(catalogue.PinObserved{TxID: uuid.New()}, want, seen), "unknown transaction")
	wrongContext := observed(reqs[1])
	wrongContext.Contexts = reqs[0].Contexts
	assert.ErrorContains(t, check(wrongContext, want, seen), "context 0 differs")
	assert.Len(t, seen, 1)
}
