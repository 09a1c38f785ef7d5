package aggbench

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// unparkTopic is the one context every unpark pin is on.
const unparkTopic = "unpark"

// unpark parks n pins on one context behind a missing first batch (one
// message per batch, so one pin per log), then delivers that batch and times
// the Apply that confirms all n. It returns the median of UnparkRuns runs,
// each on a fresh aggregator.
func (b bench) unpark(ctx context.Context, n int) (time.Duration, error) {
	b.progress(fmt.Sprintf("%s: %d pins parked behind one missing batch, %d runs", NameUnpark, n, b.opts.UnparkRuns))
	batches, err := b.build(ctx, n, func(seq uint64) (batch, error) {
		return b.author.broadcast(seq, []string{unparkTopic})
	})
	if err != nil {
		return 0, err
	}
	const missing = 1 // batch 0 is the registration
	parked := inputs(batches, func(i int) bool { return i == missing })
	late := batches[missing].received
	times := make([]time.Duration, b.opts.UnparkRuns)
	for run := range times {
		if times[run], err = unparkOnce(ctx, parked, late, n); err != nil {
			return 0, fmt.Errorf("run %d: %w", run+1, err)
		}
	}
	slices.Sort(times)
	return times[len(times)/2], nil
}

func unparkOnce(ctx context.Context, parked []catalogue.Payload, late catalogue.BatchReceived, n int) (time.Duration, error) {
	agg, err := newAggregator()
	if err != nil {
		return 0, err
	}
	before, err := apply(ctx, agg, parked)
	if err != nil {
		return 0, err
	}
	if before.confirmed != 1 || before.rejected != 0 {
		return 0, fmt.Errorf("before the missing batch: %d confirmed, %d rejected; want only the registration confirmed",
			before.confirmed, before.rejected)
	}
	runtime.GC()
	start := time.Now()
	out, err := agg.Apply(late)
	elapsed := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("delivering the missing batch: %w", err)
	}
	var after tally
	after.add(out)
	if after.confirmed != n {
		return 0, fmt.Errorf("delivering the missing batch confirmed %d of %d messages (%d rejected)", after.confirmed, n, after.rejected)
	}
	return elapsed, nil
}
