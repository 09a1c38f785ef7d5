package e2ebench

import (
	"context"
	"fmt"
	"os"
	"runtime/pprof"
	"sync/atomic"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
	"github.com/ledgermirror/ledgermirror/test/bench/resident"
)

// members is the size of the network under test: org1 sends, org1 and org2
// form the private group, org3 only sees the private pins.
const members = 3

// Audiences, as member sets.
const (
	everyone    memberSet = 0b111
	privateTo   memberSet = 0b011
	privateNot  memberSet = 0b100
	readyWithin           = 2 * time.Minute
)

// Run starts a network, measures it and returns the figures in a fixed order
// (NameBroadcastThroughput, NameBroadcastP50, NameBroadcastP99,
// NamePrivateThroughput, NameRSS, NameIdleP50). progress, if not nil, hears
// what is happening, about every second during the long phases; it is called
// from Run's goroutine only.
func Run(ctx context.Context, opts Options, progress func(string)) (_ []Result, err error) {
	opts.setDefaults()
	if err := opts.validate(); err != nil {
		return nil, fmt.Errorf("e2ebench: %w: %w", ErrInvalidOptions, err)
	}
	if progress == nil {
		progress = func(string) {}
	}
	if opts.Dir == "" {
		dir, err := os.MkdirTemp("", "lm-e2ebench-*")
		if err != nil {
			return nil, err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		opts.Dir = dir
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	began := time.Now()
	progress(fmt.Sprintf("starting a %d-member network in %s", members, opts.Dir))
	net, err := network.Start(ctx, network.Options{Members: members, DataDir: opts.Dir, Log: zerolog.Nop()})
	if err != nil {
		return nil, fmt.Errorf("starting the network: %w", err)
	}
	defer func() {
		cancel()
		if stopErr := net.Stop(); stopErr != nil && err == nil {
			err = fmt.Errorf("stopping the network: %w", stopErr)
		}
	}()
	readyCtx, readyCancel := context.WithTimeout(ctx, readyWithin)
	err = net.WaitReady(readyCtx)
	readyCancel()
	if err != nil {
		return nil, fmt.Errorf("waiting for the members to register each other: %w", err)
	}
	progress(fmt.Sprintf("network ready in %s", time.Since(began).Round(time.Millisecond)))

	tr := newTracker()
	ms := net.Members()
	for i, m := range ms {
		if err := tr.follow(ctx, i, m.Store()); err != nil {
			return nil, fmt.Errorf("subscribing to org%d's decisions: %w", i+1, err)
		}
	}
	s, err := newSender(ms[0].APIURL(), opts, []string{"org2"})
	if err != nil {
		return nil, err
	}
	defer s.close()
	b := &bench{opts: opts, net: net, tr: tr, send: s, progress: progress}
	return b.run(ctx)
}

type bench struct {
	opts     Options
	net      *network.Network
	tr       *tracker
	send     *sender
	progress func(string)
	// seq numbers every message of the run, for its topic and its value.
	seq atomic.Int64
}

func (b *bench) run(ctx context.Context) ([]Result, error) {
	var results []Result
	add := func(name string, value float64, unit string) {
		results = append(results, Result{Name: name, Value: value, Unit: unit})
		b.progress(fmt.Sprintf("%s = %.6g %s", name, value, unit))
	}

	sampler := resident.Start(100*time.Millisecond, b.opts.HeapProfile != nil)
	defer sampler.Stop()
	idle, err := b.idle(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameIdleP50, err)
	}
	p50, p99, err := b.paced(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameBroadcastP99, err)
	}
	if b.opts.CPUProfile != nil {
		if err := pprof.StartCPUProfile(b.opts.CPUProfile); err != nil {
			return nil, err
		}
	}
	broadcast, err := b.throughput(ctx, "broadcast", b.opts.Messages, false)
	if b.opts.CPUProfile != nil {
		pprof.StopCPUProfile()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameBroadcastThroughput, err)
	}
	private, err := b.throughput(ctx, "private", b.opts.PrivateMessages, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NamePrivateThroughput, err)
	}
	rss, err := resident.PeakMiB()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", NameRSS, err)
	}
	// Where the memory went: anonymous memory (the Go heap and what the
	// runtime holds for it, SQLite's page caches) against mapped files,
	// and the live heap at its peak.
	peaks := sampler.Stop()
	b.progress(fmt.Sprintf("memory: peak resident %.0f MiB; sampled peaks: anonymous %.0f MiB (the Go runtime's %.0f MiB, "+
		"the live Go heap %.0f MiB), mapped files %.0f MiB", rss, peaks.AnonMiB, peaks.GoMiB, peaks.HeapLiveMiB, peaks.FileMiB))
	if b.opts.HeapProfile != nil {
		if _, err := b.opts.HeapProfile.Write(peaks.HeapProfile); err != nil {
			return nil, err
		}
	}

	add(NameBroadcastThroughput, broadcast, unitMessagesPerSecond)
	add(NameBroadcastP50, ms(p50), unitMilliseconds)
	add(NameBroadcastP99, ms(p99), unitMilliseconds)
	add(NamePrivateThroughput, private, unitMessagesPerSecond)
	add(NameRSS, rss, unitMegabytes)
	add(NameIdleP50, ms(idle), unitMilliseconds)
	return results, nil
}

// audience is who must and who must not confirm a message.
func audience(private bool) (need, forbid memberSet) {
	if private {
		return privateTo, privateNot
	}
	return everyone, 0
}

// await waits until ph has want messages confirmed by everyone they are
// for. With report, it tells progress every second (sent, if not nil, says
// how many the API accepted). It fails when no message completes for
// Options.Stall, when the tracker or a member fails, or when ctx ends.
func (b *bench) await(ctx context.Context, ph *phase, want int, sent func() int, report bool) error {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	lastDone, lastChange := -1, time.Now()
	for {
		st := b.tr.state(ph)
		if st.done >= want {
			return nil
		}
		if st.done != lastDone {
			lastDone, lastChange = st.done, time.Now()
		} else if time.Since(lastChange) > b.opts.Stall {
			return fmt.Errorf("%s: %d of %d messages confirmed everywhere, none more for %s (per member %v)",
				ph.name, st.done, want, b.opts.Stall, st.confirmed)
		}
		select {
		case <-ph.progressed:
		case <-tick.C:
			if err := b.net.Failed(); err != nil {
				return err
			}
			if report {
				line := fmt.Sprintf("%s: confirmed on all %d of %d", ph.name, st.done, want)
				if sent != nil {
					line = fmt.Sprintf("%s: sent %d, confirmed on all %d of %d", ph.name, sent(), st.done, want)
				}
				b.progress(fmt.Sprintf("%s (org1 %d, org2 %d, org3 %d)", line, st.confirmed[0], st.confirmed[1], st.confirmed[2]))
			}
		case <-b.tr.failedCh:
			return b.tr.err()
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
