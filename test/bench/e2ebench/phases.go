package e2ebench

import (
	"context"
	"errors"
	"fmt"
	"runtime/trace"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
)

// errPhaseOver stops a phase's senders once the phase has ended.
var errPhaseOver = errors.New("phase over")

// throughput sends n messages from Senders concurrent clients as fast as
// the API takes them and returns messages per second from the first send
// to the last confirmation on every member they were for.
func (b *bench) throughput(ctx context.Context, name string, n int, private bool) (float64, error) {
	need, forbid := audience(private)
	ph := b.tr.newPhase(name, members, n)
	b.progress(fmt.Sprintf("%s: %d messages of %d bytes over %d topics from %d concurrent senders",
		name, n, b.opts.PayloadBytes, b.opts.Topics, b.opts.Senders))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var next, sent, posting atomic.Int64 // posting: nanoseconds spent in POSTs
	var senders sync.WaitGroup
	began, cpuBefore := time.Now(), cpuTime()
	for range b.opts.Senders {
		senders.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				id := uuid.New()
				start := time.Now()
				b.tr.expect(ph, id, start, need, forbid)
				if err := b.send.send(ctx, id, int(b.seq.Add(1)), private); err != nil {
					cancel(fmt.Errorf("sending message %d: %w", i, err))
					return
				}
				posting.Add(int64(time.Since(start)))
				sent.Add(1)
			}
		})
	}
	if b.opts.Trace != nil && !private {
		senders.Go(func() { b.trace(ctx) })
	}
	err := b.await(ctx, ph, n, func() int { return int(sent.Load()) }, true)
	cancel(errPhaseOver)
	senders.Wait()
	if err != nil {
		return 0, err
	}
	elapsed := b.tr.state(ph).lastDone.Sub(began)
	b.progress(fmt.Sprintf("%s: %d messages confirmed on all in %s; a POST took %s on average; %s",
		name, n, elapsed.Round(time.Millisecond), (time.Duration(posting.Load()) / time.Duration(n)).Round(time.Microsecond),
		cpuUse(cpuTime()-cpuBefore, time.Since(began), n)))
	return float64(n) / max(elapsed, time.Nanosecond).Seconds(), nil
}

// trace writes an execution trace of traceLength from traceAfter on (or
// until ctx ends) to Options.Trace.
func (b *bench) trace(ctx context.Context) {
	const traceAfter, traceLength = 5 * time.Second, 5 * time.Second
	if !sleepCtx(ctx, traceAfter) {
		return
	}
	if err := trace.Start(b.opts.Trace); err != nil {
		return
	}
	defer trace.Stop()
	sleepCtx(ctx, traceLength)
}

// sleepCtx sleeps for d unless ctx ends first; it reports whether it slept
// the whole time.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// paced sends Rate broadcast messages per second for PacedDuration, open
// loop: each message's clock starts when the pacer schedules it, whether or
// not a sender is free, so a slow API shows as latency. It returns the
// median and 99th percentile of scheduled → confirmed on every member.
func (b *bench) paced(ctx context.Context) (p50, p99 time.Duration, err error) {
	n := b.opts.pacedMessages()
	ph := b.tr.newPhase("paced", members, n)
	interval := time.Duration(float64(time.Second) / float64(b.opts.Rate))
	b.progress(fmt.Sprintf("paced: %d broadcast messages at %d/s (open loop) from %d senders", n, b.opts.Rate, b.opts.Senders))
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	began, cpuBefore := time.Now(), cpuTime()

	// The pacer never waits for a sender while the buffer has room; when it
	// is full the pacer falls behind, but each message's clock still starts
	// at its scheduled time.
	scheduled := make(chan time.Time, min(n, 1<<16))
	var workers sync.WaitGroup
	workers.Go(func() {
		defer close(scheduled)
		timer := time.NewTimer(0)
		defer timer.Stop()
		start := time.Now()
		for i := range n {
			at := start.Add(time.Duration(i) * interval)
			if d := time.Until(at); d > 0 {
				timer.Reset(d)
				select {
				case <-timer.C:
				case <-ctx.Done():
					return
				}
			}
			select {
			case scheduled <- at:
			case <-ctx.Done():
				return
			}
		}
	})
	var sent atomic.Int64
	for range b.opts.Senders {
		workers.Go(func() {
			for at := range scheduled {
				if ctx.Err() != nil {
					return
				}
				id := uuid.New()
				b.tr.expect(ph, id, at, everyone, 0)
				if err := b.send.send(ctx, id, int(b.seq.Add(1)), false); err != nil {
					cancel(fmt.Errorf("sending a paced message: %w", err))
					return
				}
				sent.Add(1)
			}
		})
	}
	err = b.await(ctx, ph, n, func() int { return int(sent.Load()) }, true)
	cancel(errPhaseOver)
	workers.Wait()
	if err != nil {
		return 0, 0, err
	}
	lat := b.tr.latencies(ph)
	p50, p99 = percentile(lat, 0.50), percentile(lat, 0.99)
	b.progress(fmt.Sprintf("paced: %d messages, p50 %s, p99 %s, max %s; %s", n,
		p50.Round(time.Microsecond), p99.Round(time.Microsecond), slices.Max(lat).Round(time.Microsecond),
		cpuUse(cpuTime()-cpuBefore, time.Since(began), n)))
	return p50, p99, nil
}

// idle sends IdleMessages broadcast messages one at a time, each once the
// previous one is confirmed on every member and IdlePause has passed, and
// returns the median submit → confirmed on every member.
func (b *bench) idle(ctx context.Context) (time.Duration, error) {
	n := b.opts.IdleMessages
	ph := b.tr.newPhase("idle", members, n)
	b.progress(fmt.Sprintf("idle: %d broadcast messages one at a time, %s apart", n, b.opts.IdlePause))
	pause := time.NewTimer(0)
	defer pause.Stop()
	for i := range n {
		if i > 0 {
			pause.Reset(b.opts.IdlePause)
			select {
			case <-pause.C:
			case <-ctx.Done():
				return 0, ctx.Err()
			}
		}
		id := uuid.New()
		b.tr.expect(ph, id, time.Now(), everyone, 0)
		if err := b.send.send(ctx, id, int(b.seq.Add(1)), false); err != nil {
			return 0, fmt.Errorf("sending idle message %d: %w", i, err)
		}
		if err := b.await(ctx, ph, i+1, nil, false); err != nil {
			return 0, err
		}
	}
	lat := b.tr.latencies(ph)
	p50 := percentile(lat, 0.50)
	b.progress(fmt.Sprintf("idle: %d messages, p50 %s, min %s, max %s", n, p50.Round(time.Microsecond),
		slices.Min(lat).Round(time.Microsecond), slices.Max(lat).Round(time.Microsecond)))
	return p50, nil
}

// cpuUse says how much CPU the whole process (every member, the chain and
// the benchmark) used for n messages over wall: the figure that does not
// depend on what else the machine was running.
func cpuUse(cpu, wall time.Duration, n int) string {
	if cpu <= 0 {
		return "CPU time unknown"
	}
	return fmt.Sprintf("the process used %s of CPU (%.3f ms per message, %.2f cores on average)",
		cpu.Round(time.Millisecond), ms(cpu)/float64(n), cpu.Seconds()/max(wall, time.Nanosecond).Seconds())
}

// percentile is the nearest-rank percentile p (0 < p <= 1) of ds, which it
// sorts; 0 for none.
func percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	rank := int(p*float64(len(ds)) + 0.999999999)
	return ds[min(max(rank, 1), len(ds))-1]
}
