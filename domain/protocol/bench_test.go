package protocol_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/protocol"
)

// reportRate prints the figure as a BENCH line as well as Go's own output.
func reportRate(b *testing.B, name string, perOp float64, unit string) {
	b.Helper()
	rate := perOp * float64(b.N) / b.Elapsed().Seconds()
	b.ReportMetric(rate, unit)
	fmt.Printf("BENCH %s=%.6g %s\n", name, rate, unit)
}

// benchBatch builds a broadcast batch of n messages with one data item each,
// as a sender would.
func benchBatch(b *testing.B, n int) (protocol.Manifest, []protocol.Message, []protocol.Data) {
	b.Helper()
	org, _ := protocol.NewOrgDID("org1")
	key, _ := protocol.ParseSigningKey("0x00112233445566778899aabbccddeeff00112233")
	msgs := make([]protocol.Message, 0, n)
	data := make([]protocol.Data, 0, n)
	for i := range n {
		d, err := protocol.NewData(protocol.DataFields{ID: uuid.New(),
			Value: json.RawMessage(fmt.Sprintf(`{"order":%d,"lines":[{"sku":"A-1","qty":2,"price":19.99}],"note":"deliver before noon"}`, i))})
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
	manifest, err := protocol.BuildManifest(uuid.New(), uuid.New(), msgs, data)
	if err != nil {
		b.Fatal(err)
	}
	return manifest, msgs, data
}

func BenchmarkMessageParseAndHash(b *testing.B) {
	_, msgs, _ := benchBatch(b, 1)
	raw, err := json.Marshal(msgs[0])
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := protocol.UnmarshalMessage(raw); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "protocol.message.parse_hash", 1, "messages/s")
}

// BenchmarkVerifyBatch is what a receiver pays per default-size batch (200
// messages): parse every part from JSON, recompute every hash, check the
// manifest.
func BenchmarkVerifyBatch(b *testing.B) {
	manifest, msgs, data := benchBatch(b, 200)
	rawManifest, _ := json.Marshal(manifest)
	rawMsgs, _ := json.Marshal(msgs)
	rawData, _ := json.Marshal(data)
	b.ResetTimer()
	for b.Loop() {
		m, err := protocol.UnmarshalManifest(rawManifest)
		if err != nil {
			b.Fatal(err)
		}
		var ms []protocol.Message
		var ds []protocol.Data
		if err := json.Unmarshal(rawMsgs, &ms); err != nil {
			b.Fatal(err)
		}
		if err := json.Unmarshal(rawData, &ds); err != nil {
			b.Fatal(err)
		}
		if err := protocol.VerifyBatch(manifest.Hash(), m, ms, ds); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "protocol.batch.verify", 200, "messages/s")
}

// BenchmarkReceiveBatch is the aggregator's path for one default-size batch:
// each part arrives as its own JSON and is parsed on its own, then verified.
func BenchmarkReceiveBatch(b *testing.B) {
	manifest, msgs, data := benchBatch(b, 200)
	rawManifest, _ := json.Marshal(manifest)
	rawMsgs := make([][]byte, len(msgs))
	rawData := make([][]byte, len(data))
	for i := range msgs {
		rawMsgs[i], _ = json.Marshal(msgs[i])
		rawData[i], _ = json.Marshal(data[i])
	}
	b.ResetTimer()
	for b.Loop() {
		m, err := protocol.UnmarshalManifest(rawManifest)
		if err != nil {
			b.Fatal(err)
		}
		ms := make([]protocol.Message, len(rawMsgs))
		ds := make([]protocol.Data, len(rawData))
		for i := range rawMsgs {
			if ms[i], err = protocol.UnmarshalMessage(rawMsgs[i]); err != nil {
				b.Fatal(err)
			}
			if ds[i], err = protocol.UnmarshalData(rawData[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := protocol.VerifyBatch(manifest.Hash(), m, ms, ds); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "protocol.batch.receive", 200, "messages/s")
}

// BenchmarkBuildMessage is what a sender pays per message: a data item with a
// small JSON value, and the message that carries it.
func BenchmarkBuildMessage(b *testing.B) {
	org, _ := protocol.NewOrgDID("org1")
	key, _ := protocol.ParseSigningKey("0x00112233445566778899aabbccddeeff00112233")
	value := json.RawMessage(`{"order":1,"lines":[{"sku":"A-1","qty":2,"price":19.99}],"note":"deliver before noon"}`)
	dataID, msgID := uuid.New(), uuid.New()
	created := time.Now()
	b.ResetTimer()
	for b.Loop() {
		d, err := protocol.NewData(protocol.DataFields{ID: dataID, Value: value})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := protocol.BuildMessage(protocol.MessageHeaderFields{ID: msgID, Type: protocol.MessageTypeBroadcast,
			TxType: protocol.TxTypeBatchPin, Author: org, Key: key, Created: created, Namespace: "default",
			Topics: []string{"orders"}}, []protocol.DataRef{d.Ref()}); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "protocol.message.build", 1, "messages/s")
}

// BenchmarkBuildManifest seals a default-size batch of built messages.
func BenchmarkBuildManifest(b *testing.B) {
	_, msgs, data := benchBatch(b, 200)
	batchID, txID := uuid.New(), uuid.New()
	b.ResetTimer()
	for b.Loop() {
		if _, err := protocol.BuildManifest(batchID, txID, msgs, data); err != nil {
			b.Fatal(err)
		}
	}
	reportRate(b, "protocol.batch.build_manifest", 200, "messages/s")
}
