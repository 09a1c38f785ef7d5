package storebench

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/event"
)

// workload is a set of pre-generated events, so that generating them is not
// part of any measurement.
type workload struct {
	streams []string           // one per append group
	groups  [][]event.Proposed // events appended together, one stream each
	total   int
}

// newWorkload generates n events in groups of per events, one stream per group.
func newWorkload(n, per, payloadSize int) workload {
	w := workload{total: n}
	node := "did:lm:org/org1/node1"
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 0; i < n; i += per {
		k := min(per, n-i)
		msg := uuid.New()
		group := make([]event.Proposed, k)
		for j := range group {
			group[j] = event.Proposed{
				ID:      uuid.New(),
				Type:    "MessageSubmitted",
				Version: 1,
				Data:    messagePayload(payloadSize, created.Add(time.Duration(i+j)*time.Millisecond)),
				Metadata: event.Metadata{
					CorrelationID: msg.String(),
					Node:          node,
					Namespace:     "default",
				},
			}
		}
		w.streams = append(w.streams, "message-"+msg.String())
		w.groups = append(w.groups, group)
	}
	return w
}

// messagePayload is a MessageSubmitted-like body, padded to about size bytes.
func messagePayload(size int, created time.Time) json.RawMessage {
	b := fmt.Appendf(nil, `{"id":%q,"author":"did:lm:org/org1","key":"0x%s","type":"broadcast",`+
		`"created":%q,"topics":["invoices"],"tag":"invoice-created","dataHash":%q`,
		uuid.NewString(), randomHex(20), created.Format(time.RFC3339Nano), randomHex(32))
	if pad := size - len(b) - len(`,"note":""}`); pad > 0 {
		b = append(b, `,"note":"`...)
		b = append(b, strings.Repeat("x", pad)...)
		b = append(b, '"')
	}
	return append(b, '}')
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
