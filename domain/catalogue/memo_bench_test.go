package catalogue_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// BenchmarkDecodeForFiveReaders decodes a MessageSubmitted once for each of
// the five live subscribers a member runs: with a shared Memo (events from
// the SQLite store's live tail) and without (events read from the file).
// ns/op is per event, all five readers included.
func BenchmarkDecodeForFiveReaders(b *testing.B) {
	const readers = 5
	cat := catalogue.Default()
	prop, err := cat.Encode(uuid.New(), samples(b)["MessageSubmitted"], event.Metadata{Namespace: "default"})
	if err != nil {
		b.Fatal(err)
	}
	for _, shared := range []bool{false, true} {
		name := map[bool]string{false: "without_memo", true: "with_memo"}[shared]
		b.Run(name, func(b *testing.B) {
			start := time.Now()
			for range b.N {
				ev := event.Event{ID: prop.ID, Stream: "s", Revision: 1, Position: 1, Type: prop.Type,
					Version: prop.Version, Data: prop.Data}
				if shared {
					ev.Memo = &event.Memo{}
				}
				for range readers {
					if _, err := cat.Decode(ev); err != nil {
						b.Fatal(err)
					}
				}
			}
			if b.N >= 10_000 {
				fmt.Printf("BENCH catalogue_decode_5_readers_%s=%.0f ns/event\n", name,
					float64(time.Since(start).Nanoseconds())/float64(b.N))
			}
		})
	}
}
