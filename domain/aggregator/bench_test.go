package aggregator_test

import (
	"fmt"
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
