package aggbench

import (
	"context"
	"fmt"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
)

// Run measures the aggregator and returns its figures in a fixed order
// (NamePins, NamePinsAlloc, NameReceive, NameEndToEnd, NameUnpark,
// NameUnparkDoubled, NameUnparkRatio).
// progress, if not nil, hears what is happening; it is called from Run's
// goroutine only.
func Run(ctx context.Context, opts Options, progress func(string)) ([]Result, error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("aggbench: %w: %w", ErrInvalidOptions, err)
	}
	if progress == nil {
		progress = func(string) {}
	}
	a, err := newAuthor()
	if err != nil {
		return nil, err
	}
	b := bench{opts: opts, author: a, progress: progress}
	var results []Result
	add := func(name string, value float64, unit string) {
		results = append(results, Result{Name: name, Value: value, Unit: unit})
		progress(fmt.Sprintf("%s = %.6g %s", name, value, unit))
	}

	pins, err := b.pins(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NamePins, err)
	}
	add(NamePins, pins.rate, unitPinsPerSecond)
	add(NamePinsAlloc, pins.allocPerPin, unitBytesPerPin)
	add(NameReceive, pins.receive, unitMessagesPerSec)
	add(NameEndToEnd, pins.endToEnd, unitPinsPerSecond)

	single, err := b.unpark(ctx, opts.UnparkPins)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameUnpark, err)
	}
	add(NameUnpark, ms(single), unitMilliseconds)
	doubled, err := b.unpark(ctx, opts.UnparkPins*unparkRatioMultiple)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameUnparkDoubled(opts.UnparkPins), err)
	}
	add(NameUnparkDoubled(opts.UnparkPins), ms(doubled), unitMilliseconds)
	add(NameUnparkRatio, float64(doubled)/float64(max(single, time.Nanosecond)), unitRatio)
	return results, nil
}

type bench struct {
	opts     Options
	author   author
	progress func(string)
}

// pinsFigures splits the run's time: decisions happen when a log is
// observed (its batch is already here), while receiving a batch is parsing
// and hashing its content, which the protocol package owns and reports
// separately (protocol.message.parse_hash).
type pinsFigures struct {
	rate        float64 // pins per second of time spent applying chain inputs
	allocPerPin float64
	receive     float64 // messages per second of time spent applying BatchReceived
	endToEnd    float64 // pins per second of all Apply time
}

// pinChunk is how many batches are built, then applied, at a time: building
// everything first would leave gigabytes of inputs on the heap for the
// garbage collector to scan while the aggregator runs, which measures the
// benchmark rather than the aggregator.
const pinChunk = 5000

// pins feeds a registration and then Pins broadcast pins, BatchSize per log,
// spread round-robin over Contexts topics, each batch arriving just before
// its pin. Only the Apply calls are timed; every message (Pins and the
// registration) must be confirmed.
func (b bench) pins(ctx context.Context) (pinsFigures, error) {
	agg, err := newAggregator()
	if err != nil {
		return pinsFigures{}, err
	}
	nBatches := (b.opts.Pins + b.opts.BatchSize - 1) / b.opts.BatchSize
	b.progress(fmt.Sprintf("%s: %d pins in %d batches of %d over %d contexts, built and applied %d batches at a time",
		NamePins, b.opts.Pins, nBatches, b.opts.BatchSize, b.opts.Contexts, pinChunk))
	if b.opts.CPUProfile != nil {
		if err := pprof.StartCPUProfile(b.opts.CPUProfile); err != nil {
			return pinsFigures{}, err
		}
		defer pprof.StopCPUProfile()
	}
	var total tally
	var allocated uint64
	for first := 0; first <= nBatches; first += pinChunk {
		batches, err := b.buildRange(ctx, first, min(first+pinChunk-1, nBatches), b.pinBatch)
		if err != nil {
			return pinsFigures{}, err
		}
		in := inputsFrom(first, batches, nil)
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		t, err := apply(ctx, agg, in)
		runtime.ReadMemStats(&after)
		if err != nil {
			return pinsFigures{}, err
		}
		total.merge(t)
		allocated += after.TotalAlloc - before.TotalAlloc
	}
	if want := b.opts.Pins + 1; total.confirmed != want {
		return pinsFigures{}, fmt.Errorf("confirmed %d of %d messages (%d rejected)", total.confirmed, want, total.rejected)
	}
	return pinsFigures{
		rate:        float64(b.opts.Pins) / max(total.chain, time.Nanosecond).Seconds(),
		allocPerPin: float64(allocated) / float64(b.opts.Pins),
		receive:     float64(b.opts.Pins) / max(total.content, time.Nanosecond).Seconds(),
		endToEnd:    float64(b.opts.Pins) / max(total.chain+total.content, time.Nanosecond).Seconds(),
	}, nil
}

// pinBatch is batch seq (from 1) of the pins workload: BatchSize messages on
// consecutive topics.
func (b bench) pinBatch(seq uint64) (batch, error) {
	first := int(seq-1) * b.opts.BatchSize
	ts := make([]string, min(b.opts.BatchSize, b.opts.Pins-first))
	for i := range ts {
		ts[i] = fmt.Sprintf("topic-%06d", (first+i)%b.opts.Contexts)
	}
	return b.author.broadcast(seq, ts)
}

// build returns the registration as batch 0 and n more batches made by
// newBatch(seq) for seq 1..n.
func (b bench) build(ctx context.Context, n int, newBatch func(seq uint64) (batch, error)) ([]batch, error) {
	return b.buildRange(ctx, 0, n, newBatch)
}

// buildRange returns batches first..last, built on every CPU: seq 0 is the
// registration, the others come from newBatch(seq).
func (b bench) buildRange(ctx context.Context, first, last int, newBatch func(seq uint64) (batch, error)) ([]batch, error) {
	batches := make([]batch, last-first+1)
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for seq := first + w; seq <= last; seq += workers {
				if seq%4096 == 0 && ctx.Err() != nil {
					errs[w] = ctx.Err()
					return
				}
				if seq == 0 {
					batches[0], errs[w] = b.author.registration()
				} else {
					batches[seq-first], errs[w] = newBatch(uint64(seq))
				}
				if errs[w] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return batches, nil
}

func newAggregator() (*aggregator.Aggregator, error) {
	a, err := aggregator.New(aggregator.Config{Namespace: namespace})
	if err != nil {
		return nil, err
	}
	// Let compaction release settled batches, as the Runner does, so memory
	// stays what a running node's would be.
	a.UseContentSource(noRepins{})
	return a, nil
}

// noRepins is the content source of a workload that never pins a batch
// twice: being asked is a bug in the workload.
type noRepins struct{}

func (noRepins) ReceivedBatches(id uuid.UUID) ([]catalogue.BatchReceived, error) {
	return nil, fmt.Errorf("the benchmark pinned batch %s twice", id)
}

// tally counts the decisions of a run and the time spent applying chain
// inputs and content (BatchReceived) inputs.
type tally struct {
	confirmed, rejected int
	chain, content      time.Duration
}

func (t *tally) merge(o tally) {
	t.confirmed += o.confirmed
	t.rejected += o.rejected
	t.chain += o.chain
	t.content += o.content
}

func (t *tally) add(out []catalogue.Payload) {
	for _, p := range out {
		switch p.(type) {
		case catalogue.MessageConfirmed, *catalogue.MessageConfirmed:
			t.confirmed++
		case catalogue.MessageRejected, *catalogue.MessageRejected:
			t.rejected++
		}
	}
}

// apply feeds every input to agg; any error is the benchmark's failure,
// because its inputs are all valid and in chain order.
func apply(ctx context.Context, agg *aggregator.Aggregator, in []catalogue.Payload) (tally, error) {
	var t tally
	for i, p := range in {
		if i%65536 == 0 && ctx.Err() != nil {
			return t, ctx.Err()
		}
		start := time.Now()
		out, err := agg.Apply(p)
		if _, ok := p.(catalogue.BatchReceived); ok {
			t.content += time.Since(start)
		} else {
			t.chain += time.Since(start)
		}
		if err != nil {
			return t, fmt.Errorf("input %d (%s): %w", i, p.EventType(), err)
		}
		t.add(out)
	}
	return t, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
