package sqlite

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// BenchmarkLiveSubscribers measures what a member pays to deliver each
// appended event to the several live subscribers it runs (the node view, the
// aggregator, projections, search, delivery): appends of 10 events from 4
// goroutines, 5 caught-up subscribers each receiving every event. ns/op is
// per appended event, the time until all five subscribers have it.
func BenchmarkLiveSubscribers(b *testing.B) {
	const subscribers, perAppend, appenders = 5, 10, 4
	s := openBench(b)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	data := []byte(`{"namespace":"ns1","id":"0b3c1f5e-9f0b-4f3a-8a59-2c7e1b7c9d10","hash":"` +
		`4f7d8c2a9e1b3c5d7f9a0b2c4d6e8f1a3b5c7d9e0f2a4b6c8d0e1f3a5b7c9d1e","topics":["orders","eu"]}`)

	n := (b.N + perAppend - 1) / perAppend * perAppend
	var wg sync.WaitGroup
	for range subscribers {
		sub, err := s.Subscribe(ctx, 0, event.Filter{StreamPrefix: "bench-"})
		if err != nil {
			b.Fatal(err)
		}
		defer sub.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for got := 0; got < n; got++ {
				if _, ok := <-sub.Events(); !ok {
					b.Errorf("subscription ended after %d of %d events: %v", got, n, sub.Err())
					return
				}
			}
		}()
	}

	b.ResetTimer()
	start := time.Now()
	var aw sync.WaitGroup
	for a := range appenders {
		aw.Add(1)
		go func() {
			defer aw.Done()
			for i := a * perAppend; i < n; i += appenders * perAppend {
				evs := make([]event.Proposed, perAppend)
				for j := range evs {
					evs[j] = event.Proposed{ID: uuid.New(), Type: "MessageSubmitted", Version: 1, Data: data,
						Metadata: event.Metadata{CorrelationID: "c1", Node: "did:lm:node1", Namespace: "ns1"}}
				}
				if _, err := s.Append(ctx, fmt.Sprintf("bench-%d", a), event.Any(), evs...); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	aw.Wait()
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if b.N >= 10_000 {
		fmt.Printf("BENCH sqlite_live_subscribers_%d=%.0f events/s\n", subscribers, float64(n)/elapsed.Seconds())
	}
}

func openBench(b *testing.B) *Store {
	b.Helper()
	s, err := Open(context.Background(), Config{Path: b.TempDir() + "/events.db"}, zerolog.Nop())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}
