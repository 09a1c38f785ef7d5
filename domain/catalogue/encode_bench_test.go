package catalogue_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// BenchmarkEncode encodes the two payloads that carry a batch's bytes: a
// MessageSubmitted with its 1 KiB data value, and the BatchReceived of a
// 200-message batch of such messages (about 400 KB of JSON). It uses only
// Encode, so it runs unchanged on older code for a before/after figure.
func BenchmarkEncode(b *testing.B) {
	const batchSize = 200
	msgs, data := encodeBenchBatch(b, batchSize)
	manifest, err := protocol.BuildManifest(uuid.New(), uuid.New(), msgs, data)
	if err != nil {
		b.Fatal(err)
	}
	org, _ := protocol.NewOrgDID("org1")
	node, _ := protocol.NewNodeDID(org, "node1")
	received := catalogue.BatchReceived{Namespace: "default", BatchID: manifest.ID(), From: &node,
		Messages: make([]json.RawMessage, batchSize), Data: make([]json.RawMessage, batchSize)}
	received.Manifest = mustMarshal(b, manifest)
	for i := range msgs {
		received.Messages[i] = mustMarshal(b, msgs[i])
		received.Data[i] = mustMarshal(b, data[i])
	}
	payloads := []struct {
		name string
		p    catalogue.Payload
	}{
		{"MessageSubmitted", catalogue.MessageSubmitted{Message: msgs[0], Data: data[:1]}},
		{"BatchReceived_200", received},
	}
	cat := catalogue.Default()
	for _, pl := range payloads {
		b.Run(pl.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := cat.Encode(uuid.Nil, pl.p, event.Metadata{Namespace: "default"}); err != nil {
					b.Fatal(err)
				}
			}
			perOp := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			fmt.Printf("BENCH catalogue_encode_%s=%.0f ns/op\n", pl.name, perOp)
		})
	}
}

// encodeBenchBatch builds n broadcast messages with one data item each,
// whose value is about 1 KiB of JSON.
func encodeBenchBatch(b *testing.B, n int) ([]protocol.Message, []protocol.Data) {
	org, _ := protocol.NewOrgDID("org1")
	key, _ := protocol.ParseSigningKey("0x00112233445566778899aabbccddeeff00112233")
	lines := make([]string, 0, 12)
	for j := range 12 {
		lines = append(lines, fmt.Sprintf(`{"sku":"SKU-%04d","qty":%d,"price":19.99,"desc":"standard widget, blue"}`, j, j+1))
	}
	msgs := make([]protocol.Message, 0, n)
	data := make([]protocol.Data, 0, n)
	for i := range n {
		value := fmt.Sprintf(`{"order":%d,"customer":"ACME Corporation Ltd","lines":[%s],"note":"deliver before noon"}`,
			i, strings.Join(lines, ","))
		d, err := protocol.NewData(protocol.DataFields{ID: uuid.New(), Value: json.RawMessage(value)})
		if err != nil {
			b.Fatal(err)
		}
		m, err := protocol.BuildMessage(protocol.MessageHeaderFields{ID: uuid.New(), Type: protocol.MessageTypeBroadcast,
			TxType: protocol.TxTypeBatchPin, Author: org, Key: key, Created: time.Now(), Namespace: "default",
			Topics: []string{"orders"}}, []protocol.DataRef{d.Ref()})
		if err != nil {
			b.Fatal(err)
		}
		msgs, data = append(msgs, m), append(data, d)
	}
	return msgs, data
}

func mustMarshal(b *testing.B, v any) json.RawMessage {
	raw, err := json.Marshal(v)
	if err != nil {
		b.Fatal(err)
	}
	return raw
}
