package sqlite

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// fileReads counts the pages subscriptions read from the file.
func fileReads(cfg *Config) *atomic.Int64 {
	var n atomic.Int64
	cfg.hooks = &testHooks{fileRead: func(event.Position) { n.Add(1) }}
	return &n
}

// receive takes n events from sub.
func receive(t *testing.T, sub event.Subscription, n int) []event.Event {
	t.Helper()
	out := make([]event.Event, 0, n)
	timeout := time.After(20 * time.Second)
	for len(out) < n {
		select {
		case e, ok := <-sub.Events():
			require.True(t, ok, "subscription ended after %d of %d events: %v", len(out), n, sub.Err())
			out = append(out, e)
		case <-timeout:
			t.Fatalf("received %d of %d events", len(out), n)
		}
	}
	return out
}

func withoutMemos(evs []event.Event) []event.Event {
	out := make([]event.Event, len(evs))
	for i, e := range evs {
		out[i] = e.WithoutMemo()
	}
	return out
}

func readAllEvents(t *testing.T, s *Store) []event.Event {
	t.Helper()
	all, err := s.ReadAll(context.Background(), 0, maxReadPageSize)
	require.NoError(t, err)
	return all
}

func TestCaughtUpSubscribersReadTheTailNotTheFile(t *testing.T) {
	cfg := Config{PollInterval: time.Hour}
	reads := fileReads(&cfg)
	s := openTest(t, cfg)
	ctx := context.Background()
	a, err := s.Subscribe(ctx, 0, event.Filter{})
	require.NoError(t, err)
	defer a.Close()
	b, err := s.Subscribe(ctx, 0, event.Filter{})
	require.NoError(t, err)
	defer b.Close()

	for i := range 20 {
		_, err := s.Append(ctx, fmt.Sprintf("s-%d", i%3), event.Any(), proposed(1+i%4)...)
		require.NoError(t, err)
	}
	all := readAllEvents(t, s)
	gotA, gotB := receive(t, a, len(all)), receive(t, b, len(all))
	assert.Equal(t, all, withoutMemos(gotA))
	assert.Equal(t, all, withoutMemos(gotB))
	for i := range gotA {
		require.NotNil(t, gotA[i].Memo)
		assert.Same(t, gotA[i].Memo, gotB[i].Memo, "one Memo per event, shared")
	}
	assert.Zero(t, reads.Load(), "every page came from the tail")
}

func TestASubscriberBehindTheTailReadsTheFileThenTheTail(t *testing.T) {
	cfg := Config{PollInterval: time.Hour, TailEvents: 8, ReadPageSize: 7}
	reads := fileReads(&cfg)
	s := openTest(t, cfg)
	ctx := context.Background()
	for range 10 {
		_, err := s.Append(ctx, "old", event.Any(), proposed(10)...)
		require.NoError(t, err)
	}
	sub, err := s.Subscribe(ctx, 0, event.Filter{})
	require.NoError(t, err)
	defer sub.Close()
	got := receive(t, sub, 100)
	assert.Nil(t, got[0].Memo, "caught up from the file")
	assert.NotNil(t, got[99].Memo, "the last events held by the tail came from it")
	caughtUp := reads.Load()
	assert.Equal(t, int64(14), caughtUp, "98 events from the file in pages of 7, then the tail (93-100) has the next")

	var live []event.Event
	for range 5 {
		_, err := s.Append(ctx, "new", event.Any(), proposed(3)...)
		require.NoError(t, err)
		for _, e := range receive(t, sub, 3) {
			assert.NotNil(t, e.Memo)
			live = append(live, e)
		}
	}
	assert.Equal(t, caughtUp, reads.Load(), "live events come from the tail")
	all := readAllEvents(t, s)
	assert.Equal(t, all[:100], withoutMemos(got))
	assert.Equal(t, all[100:], withoutMemos(live))
}

func TestASlowSubscriberFallsBehindTheTailAndLosesNothing(t *testing.T) {
	cfg := Config{PollInterval: time.Hour, TailEvents: 16, ReadPageSize: 8}
	reads := fileReads(&cfg)
	s := openTest(t, cfg)
	ctx := context.Background()
	sub, err := s.Subscribe(ctx, 0, event.Filter{})
	require.NoError(t, err)
	defer sub.Close()
	// Nobody reads while 300 events commit: the subscription's buffer fills
	// and the tail moves on without it.
	for range 30 {
		_, err := s.Append(ctx, "s", event.Any(), proposed(10)...)
		require.NoError(t, err)
	}
	got := receive(t, sub, 300)
	assert.Equal(t, readAllEvents(t, s), withoutMemos(got))
	assert.Positive(t, reads.Load(), "the gap was read from the file")
}

func TestTheTailKeepsFiltersAsTheyAre(t *testing.T) {
	cfg := Config{PollInterval: time.Hour}
	reads := fileReads(&cfg)
	s := openTest(t, cfg)
	ctx := context.Background()
	filters := []event.Filter{
		{StreamPrefix: "order-"},
		{Types: []string{"B"}},
		{StreamPrefix: "order-", Types: []string{"A", "C"}},
		{StreamPrefix: "nothing-"},
	}
	subs := make([]event.Subscription, len(filters))
	for i, f := range filters {
		var err error
		subs[i], err = s.Subscribe(ctx, 0, f)
		require.NoError(t, err)
		defer subs[i].Close()
	}
	for i := range 60 {
		evs := proposed(1 + i%3)
		for j := range evs {
			evs[j].Type = string(rune('A' + (i+j)%3))
		}
		_, err := s.Append(ctx, []string{"order-1", "order-2", "user-1"}[i%3], event.Any(), evs...)
		require.NoError(t, err)
	}
	all := readAllEvents(t, s)
	for i, f := range filters {
		want := []event.Event{}
		for _, e := range all {
			if f.Matches(e) {
				want = append(want, e)
			}
		}
		assert.Equal(t, want, withoutMemos(receive(t, subs[i], len(want))), "filter %+v", f)
	}
	// A filtered subscription still moves past what it skips: nothing more
	// is delivered, and no page came from the file.
	for _, sub := range subs {
		select {
		case e := <-sub.Events():
			t.Fatalf("unexpected event %d", e.Position)
		case <-time.After(50 * time.Millisecond):
		}
	}
	assert.Zero(t, reads.Load())
}

// Randomised: appenders (with duplicates, wrong revisions and awkward
// metadata) race subscribers that start anywhere, with filters, a small tail
// and small pages; every subscriber sees exactly what a read of the file
// shows, in order, with no gap or duplicate.
func TestSubscribersSeeWhatTheFileHoldsWhateverTheTiming(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(uint64(seed), 7))
	cfg := Config{
		PollInterval: 10*time.Millisecond + time.Duration(rng.IntN(2))*time.Hour,
		TailEvents:   1 + rng.IntN(64),
		TailBytes:    minTailBytes,
		ReadPageSize: 1 + rng.IntN(32),
		MaxBatch:     1 + rng.IntN(50),
	}
	t.Logf("config %+v", cfg)
	s := openTest(t, cfg)
	ctx := context.Background()
	filters := []event.Filter{{}, {StreamPrefix: "s-1"}, {Types: []string{"Odd"}}, {StreamPrefix: "s-", Types: []string{"Even"}}}
	metas := []event.Metadata{{}, {CorrelationID: "c"}, {Node: "n\u00e9ud"}, {Namespace: "bad\xffutf8"}, {CausationID: "q\"uote"}}

	const appenders, appends = 4, 150
	type started struct {
		sub    event.Subscription
		after  event.Position
		filter event.Filter
		got    []event.Event
	}
	var (
		mu   sync.Mutex
		subs []*started
		wg   sync.WaitGroup
		rwg  sync.WaitGroup
	)
	subscribe := func(r *rand.Rand) {
		head, err := s.Head(ctx)
		require.NoError(t, err)
		st := &started{after: event.Position(r.Uint64N(uint64(head) + 1)), filter: filters[r.IntN(len(filters))]}
		st.sub, err = s.Subscribe(ctx, st.after, st.filter)
		require.NoError(t, err)
		mu.Lock()
		subs = append(subs, st)
		mu.Unlock()
		rwg.Add(1)
		go func() {
			defer rwg.Done()
			for e := range st.sub.Events() {
				mu.Lock()
				st.got = append(st.got, e)
				n := len(st.got)
				mu.Unlock()
				if n%97 == 0 {
					time.Sleep(time.Millisecond) // now and then a slow consumer
				}
			}
		}()
	}
	for a := range appenders {
		wg.Add(1)
		r := rand.New(rand.NewPCG(uint64(seed), uint64(a)))
		go func() {
			defer wg.Done()
			var last []event.Proposed
			for i := range appends {
				if i%25 == 0 {
					subscribe(r)
				}
				stream := fmt.Sprintf("s-%d", r.IntN(12))
				evs := proposed(1 + r.IntN(8))
				for j := range evs {
					evs[j].Type = []string{"Even", "Odd"}[r.IntN(2)]
					evs[j].Metadata = metas[r.IntN(len(metas))]
				}
				exp := event.Any()
				switch r.IntN(10) {
				case 0:
					exp = event.NoStream() // usually fails: the stream exists
				case 1:
					if last != nil {
						evs = last // a retry: stored once
					}
				}
				if _, err := s.Append(ctx, stream, exp, evs...); err == nil {
					last = evs
				}
			}
		}()
	}
	wg.Wait()
	subscribe(rng)

	all := readAllEvents(t, s)
	wants := make([][]event.Event, len(subs))
	for i, st := range subs {
		want := []event.Event{}
		for _, e := range all {
			if e.Position > st.after && st.filter.Matches(e) {
				want = append(want, e)
			}
		}
		wants[i] = want
		deadline := time.Now().Add(20 * time.Second)
		for {
			mu.Lock()
			n := len(st.got)
			mu.Unlock()
			if n >= len(want) || time.Now().After(deadline) {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		require.NoError(t, st.sub.Close())
	}
	rwg.Wait()
	for i, st := range subs {
		assert.Equal(t, wants[i], withoutMemos(st.got), "subscriber %d after %d, filter %+v", i, st.after, st.filter)
	}
}

func tailEvents(from, to event.Position, dataLen int) []event.Event {
	var out []event.Event
	for p := from; p <= to; p++ {
		out = append(out, event.Event{Position: p, Stream: "s", Type: "T", Version: 1, Data: make([]byte, dataLen)})
	}
	return out
}

func tailPositions(t *tail, after event.Position) []event.Position {
	var out []event.Position
	for _, e := range t.after(after, 1000, nil) {
		out = append(out, e.Position)
	}
	return out
}

func TestTailBounds(t *testing.T) {
	tl := newTail(4, 1<<20)
	tl.push(tailEvents(1, 3, 10))
	assert.Equal(t, []event.Position{2, 3}, tailPositions(tl, 1))
	assert.Empty(t, tailPositions(tl, 3), "nothing newer")
	tl.push(tailEvents(4, 6, 10))
	assert.Equal(t, []event.Position{3, 4, 5, 6}, tailPositions(tl, 2), "count bound: oldest evicted")
	assert.Empty(t, tailPositions(tl, 1), "2 is gone: the caller reads the file")
	assert.Equal(t, []event.Position{4}, positionsOf(tl.after(3, 1, nil)), "limit")

	tl.push(tailEvents(9, 10, 10))
	assert.Empty(t, tailPositions(tl, 6), "a gap starts the tail over")
	assert.Equal(t, []event.Position{9, 10}, tailPositions(tl, 8))

	big := 2 * (tailEventOverhead + 50 + len("s") + len("T")) // two events of 50 bytes
	tl = newTail(100, big)
	tl.push(tailEvents(1, 5, 50))
	assert.Equal(t, []event.Position{4, 5}, tailPositions(tl, 3), "byte bound")
	assert.Empty(t, tailPositions(tl, 2))
	tl.push(tailEvents(6, 6, 10*big))
	assert.Empty(t, tailPositions(tl, 5), "an event larger than the bound is not kept")
	tl.push(tailEvents(7, 7, 1))
	assert.Equal(t, []event.Position{7}, tailPositions(tl, 6))
}

func positionsOf(evs []event.Event) []event.Position {
	var out []event.Position
	for _, e := range evs {
		out = append(out, e.Position)
	}
	return out
}

// Metadata that encoding/json rewrites on the way to the file (invalid UTF-8)
// comes out of the tail as it comes out of the file.
func TestTheTailReturnsMetadataAsTheFileDoes(t *testing.T) {
	s := openTest(t, Config{PollInterval: time.Hour})
	ctx := context.Background()
	sub, err := s.Subscribe(ctx, 0, event.Filter{})
	require.NoError(t, err)
	defer sub.Close()
	evs := proposed(3)
	evs[0].Metadata = event.Metadata{Namespace: "bad\xffutf8", Node: "n\u00e9ud"}
	evs[1].Metadata = event.Metadata{CorrelationID: "tab\there", CausationID: `q"uote`}
	_, err = s.Append(ctx, "m", event.NoStream(), evs...)
	require.NoError(t, err)
	got := receive(t, sub, 3)
	require.NotNil(t, got[0].Memo, "from the tail")
	all := readAllEvents(t, s)
	assert.Equal(t, all, withoutMemos(got))
	assert.Equal(t, "bad\uFFFDutf8", all[0].Metadata.Namespace)
}

// A COMMIT that reported an error yet reached the file is published by the
// writer's reload, not through the tail: the tail has a gap, which a live
// subscriber reads from the file before the tail starts over.
func TestACommitInDoubtLeavesAGapTheFileFills(t *testing.T) {
	var fail atomic.Bool
	var reads atomic.Int64
	hooks := &testHooks{
		afterCommit: func() error {
			if fail.Swap(false) {
				return errors.New("disk I/O error (injected after the commit)")
			}
			return nil
		},
		fileRead: func(event.Position) { reads.Add(1) },
	}
	s := openTest(t, Config{PollInterval: time.Hour, hooks: hooks})
	ctx := context.Background()
	sub, err := s.Subscribe(ctx, 0, event.Filter{})
	require.NoError(t, err)
	defer sub.Close()

	_, err = s.Append(ctx, "s", event.Any(), proposed(2)...)
	require.NoError(t, err)
	receive(t, sub, 2)
	fail.Store(true)
	res, err := s.Append(ctx, "s", event.Any(), proposed(3)...)
	require.NoError(t, err, "the commit reached the file: its result stands")
	assert.Equal(t, event.Position(5), res.LastPosition)
	_, err = s.Append(ctx, "s", event.Any(), proposed(2)...)
	require.NoError(t, err)

	got := receive(t, sub, 5)
	assert.Equal(t, readAllEvents(t, s)[2:], withoutMemos(got))
	assert.Nil(t, got[0].Memo, "positions 3-5 came from the file")
	assert.Positive(t, reads.Load())
}

func TestTheTailIsAlwaysOneRun(t *testing.T) {
	tl := newTail(10, 1<<20)
	evs := append(tailEvents(1, 3, 1), tailEvents(7, 8, 1)...)
	tl.push(evs)
	assert.Empty(t, tailPositions(tl, 2), "3 is not followed by 4: the tail starts over at 7")
	assert.Equal(t, []event.Position{8}, tailPositions(tl, 7))
}
