package aggregator_test

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/domain/aggregator"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// BenchmarkDecide times the decisions alone: every batch is delivered before
// the timer starts, then the logs that pin them are applied. ledgermirror
// bench aggregator measures the same with content arriving between pins.
func BenchmarkDecide(b *testing.B) {
	const contexts = 100
	t := &testing.T{}
	n := newNet(t, aggregator.Config{})
	o := newOrg(t, "org1", 1)
	n.register(o)
	topics := make([]string, contexts)
	for i := range topics {
		topics[i] = fmt.Sprintf("topic-%d", i)
	}
	logs := make([]catalogue.PinObserved, 0, b.N)
	for i := range b.N {
		var msgs []protocol.Message
		var data []protocol.Data
		for j := range 10 {
			m, d := n.message(o, protocol.MessageTypeBroadcast, nil, `{"n":1}`, topics[(i*10+j)%contexts])
			msgs, data = append(msgs, m), append(data, d)
		}
		bt := n.batch(msgs, data)
		n.apply(bt.received)
		logs = append(logs, n.pin(bt, o.key))
	}
	b.ResetTimer()
	confirmed := 0
	for _, l := range logs {
		out, err := n.agg.Apply(l)
		require.NoError(b, err)
		confirmed += len(out)
	}
	b.StopTimer()
	require.Equal(b, 10*b.N, confirmed)
	perSec := float64(10*b.N) / b.Elapsed().Seconds()
	b.ReportMetric(perSec, "pins/s")
	fmt.Printf("BENCH aggregator.decide=%.0f pins/s\n", perSec)
}

// BenchmarkNotForUsMemory measures the heap a node keeps for private pins of
// a group it is not in: it can never place them, but cannot know that, and
// keeps them for good in case the group's batch arrives (compaction drops
// everything else past the reorg window). Each iteration pins a batch of
// a hundred private messages, so a hundred pins.
func BenchmarkNotForUsMemory(b *testing.B) {
	const pinsPerLog = 100
	t := &testing.T{}
	n := newNet(t, aggregator.Config{ReorgWindow: 8})
	a, c := newOrg(t, "org1", 1), newOrg(t, "org2", 2)
	n.register(a)
	n.register(c)
	g := n.group("g1", a, c)
	h := g.Hash()
	logs := make([]catalogue.PinObserved, 0, b.N)
	for range b.N {
		var msgs []protocol.Message
		var data []protocol.Data
		for range pinsPerLog {
			m, d := n.message(a, protocol.MessageTypePrivate, &h, `{"secret":true}`, "deal")
			msgs, data = append(msgs, m), append(data, d)
		}
		logs = append(logs, n.pin(n.batch(msgs, data), a.key))
	}
	var before, after runtime.MemStats
	n.out, n.inputs = nil, nil
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ResetTimer()
	for i, l := range logs {
		_, err := n.agg.Apply(l)
		require.NoError(b, err)
		logs[i] = catalogue.PinObserved{} // only the aggregator's copy stays
	}
	b.StopTimer()
	n.advance(20)              // compaction runs past every log
	n.out, n.inputs = nil, nil // what the fixture recorded
	runtime.GC()
	runtime.ReadMemStats(&after)
	perPin := float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(pinsPerLog*b.N)
	b.ReportMetric(perPin, "B/pin")
	if b.N >= 100 { // the first, one-iteration run measures noise
		fmt.Printf("BENCH aggregator.not_for_us=%.0f bytes/pin\n", perPin)
	}
	runtime.KeepAlive(n)
}
