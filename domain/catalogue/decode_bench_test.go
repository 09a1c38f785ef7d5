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

// bigBatchReceived is the hot payload of the e2e bench: a batch of 200
// messages, each with one data item of about 1 KiB (some 400 KiB of JSON).
func bigBatchReceived(tb testing.TB) catalogue.BatchReceived {
	tb.Helper()
	org, err := protocol.NewOrgDID("org1")
	must(tb, err)
	node, err := protocol.NewNodeDID(org, "node1")
	must(tb, err)
	key, err := protocol.ParseSigningKey("0x00112233445566778899aabbccddeeff00112233")
	must(tb, err)
	const n = 200
	msgs := make([]protocol.Message, 0, n)
	data := make([]protocol.Data, 0, n)
	rawMsgs := make([]json.RawMessage, 0, n)
	rawData := make([]json.RawMessage, 0, n)
	for i := range n {
		value, err := json.Marshal(map[string]string{"invoice": fmt.Sprint(i), "text": strings.Repeat("x", 1000)})
		must(tb, err)
		d, err := protocol.NewData(protocol.DataFields{ID: uuid.New(), Value: value})
		must(tb, err)
		m, err := protocol.BuildMessage(protocol.MessageHeaderFields{
			ID: uuid.New(), Type: protocol.MessageTypeBroadcast, TxType: protocol.TxTypeBatchPin, Author: org, Key: key,
			Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Namespace: "default", Topics: []string{"orders"},
		}, []protocol.DataRef{d.Ref()})
		must(tb, err)
		rm, err := json.Marshal(m)
		must(tb, err)
		rd, err := json.Marshal(d)
		must(tb, err)
		msgs, data, rawMsgs, rawData = append(msgs, m), append(data, d), append(rawMsgs, rm), append(rawData, rd)
	}
	manifest, err := protocol.BuildManifest(uuid.New(), uuid.New(), msgs, data)
	must(tb, err)
	rawManifest, err := json.Marshal(manifest)
	must(tb, err)
	return catalogue.BatchReceived{Namespace: "default", BatchID: manifest.ID(), From: &node,
		Manifest: rawManifest, Messages: rawMsgs, Data: rawData}
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkDecode decodes the payloads the e2e profile shows decoding most
// bytes, once per op, without a Memo (each op is a fresh decode).
func BenchmarkDecode(b *testing.B) {
	cat := catalogue.Default()
	for _, c := range []struct {
		name    string
		payload catalogue.Payload
	}{
		{"BatchReceived_200x1KiB", bigBatchReceived(b)},
		{"MessageSubmitted", samples(b)["MessageSubmitted"]},
		{"MessageConfirmed", samples(b)["MessageConfirmed"]},
	} {
		prop, err := cat.Encode(uuid.New(), c.payload, event.Metadata{})
		must(b, err)
		ev := event.Event{ID: prop.ID, Stream: "s", Type: prop.Type, Version: prop.Version, Data: prop.Data}
		// shared is an event from the SQLite store's live tail, whose Data
		// all readers share read-only (a fresh Memo each op, so each op
		// still decodes).
		for _, shared := range []bool{false, true} {
			name := c.name + map[bool]string{false: "", true: "_shared"}[shared]
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(ev.Data)))
				start := time.Now()
				for b.Loop() {
					ev := ev
					if shared {
						ev.Memo = &event.Memo{}
					}
					if _, err := cat.Decode(ev); err != nil {
						b.Fatal(err)
					}
				}
				if b.N >= 100 {
					fmt.Printf("BENCH catalogue_decode_%s=%.0f ns/op\n", name, float64(time.Since(start).Nanoseconds())/float64(b.N))
				}
			})
		}
	}
}
