package postgres

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
)

// BenchmarkQueryMix is `ledgermirror bench store --driver postgres`'s query
// phase on its own: querybench's log of confirmed messages projected into a
// read model of every projection (indexes deferred, then built, as a
// rebuild does), served by the real API, sent querybench's GET /messages
// mix by two clients; the percentiles come out as BENCH lines:
//
//	LM_REQUIRE_SERVICES=1 go test ./adapters/readmodel/postgres -run XXX -bench QueryMix -benchtime 1x -timeout 30m
//
// LM_BENCH_MESSAGES overrides the number of messages (default 1,000,000).
func BenchmarkQueryMix(b *testing.B) {
	opts := querybench.MessagesOptions{Messages: querybench.DefaultMessages}
	if v, err := strconv.Atoi(os.Getenv("LM_BENCH_MESSAGES")); err == nil && v > 0 {
		opts.Messages = v
	}
	url, schema := pgtest.Schema(b)
	ctx := context.Background()
	for b.Loop() {
		s, err := Open(ctx, Config{URL: url, Schema: schema, DeferIndexes: true}, projections.Tables(), testLogB(b))
		if err != nil {
			b.Fatal(err)
		}
		figures, err := querybench.RunMessages(ctx, s, opts, func(msg string) { b.Log(msg) })
		if err != nil {
			b.Fatal(err)
		}
		for _, f := range figures {
			fmt.Printf("BENCH %s=%.3f %s\n", f.Name, f.Value, f.Unit)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		if err := DropSchema(ctx, Config{URL: url, Schema: schema}); err != nil {
			b.Fatal(err)
		}
	}
}
