package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// The shape of test/bench/querybench's read model: 20 authoring orgs, 5
// private groups, batches of 10 messages, 100 topics, 30 tags on a third of
// the messages, everything confirmed, documents of ~700 bytes.
const (
	benchOrgs     = 20
	benchGroups   = 5
	benchPerBatch = 10
	benchTopics   = 100
	benchTags     = 30
)

// benchRows is the size of BenchmarkQueryMix's table; LM_BENCH_ROWS
// overrides it.
const benchRows = 1_000_000

func benchBatch(m int) uuid.UUID {
	var u uuid.UUID
	u[0], u[8] = 0xba, 0x80
	copy(u[10:], []byte{byte(m >> 40), byte(m >> 32), byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)})
	return u
}

func benchID(m int) uuid.UUID {
	u := benchBatch(m)
	u[0] = 0x1d
	return u
}

func benchCreated(m int) time.Time {
	return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(m) * 10 * time.Millisecond)
}

func benchAuthor(i int) string { return fmt.Sprintf("did:lm:org/org%02d", i) }

// benchMessage is message m as the messages projector would write it.
func benchMessage(m int, rng *rand.Rand) (query.Row, json.RawMessage) {
	var hash [32]byte
	rng.Read(hash[:])
	author := benchAuthor(rng.Intn(benchOrgs))
	topic := fmt.Sprintf("topic-%03d", (m*7+m/13)%benchTopics)
	row := query.Row{
		projections.NamespaceField: "default", "id": [16]byte(benchID(m)), "type": "broadcast", "author": author,
		"key": fmt.Sprintf("0x%040x", rng.Intn(benchOrgs)), "topics": []string{topic}, "created": benchCreated(m),
		"state": projections.StateConfirmed, "confirmed": benchCreated(m).Add(2 * time.Second), "sequence": int64(m + 1),
		"hash": hash, "batch": [16]byte(benchBatch(m / benchPerBatch)),
	}
	if m%3 == 0 {
		row["tag"] = fmt.Sprintf("tag-%02d", (m/3)%benchTags)
	}
	if m%5 == 0 {
		row["type"] = "private"
		row["group"] = [32]byte{byte(m % benchGroups)}
	}
	doc, err := json.Marshal(map[string]any{
		"header": map[string]any{"id": benchID(m), "type": row["type"], "author": author, "key": row["key"],
			"topics": row["topics"], "tag": row["tag"], "created": row["created"], "namespace": "default",
			"datahash": fmt.Sprintf("%x", hash)},
		"hash": fmt.Sprintf("%x", hash), "state": row["state"], "batch": benchBatch(m / benchPerBatch),
		"confirmed": row["confirmed"], "sequence": m + 1,
		"data": []map[string]string{{"id": fmt.Sprintf("%x", hash[:16]), "hash": fmt.Sprintf("%x", hash)}},
	})
	if err != nil {
		panic(err)
	}
	return row, doc
}

// benchMix is querybench's GET /messages mix (queries.go), drawn with a
// fixed seed.
func benchMix(n, rows int, count bool) []url.Values {
	rng := rand.New(rand.NewSource(7))
	org := func() string { return benchAuthor(rng.Intn(benchOrgs)) }
	shapes := []func() url.Values{
		func() url.Values { return url.Values{} },
		func() url.Values { return url.Values{"state": {"confirmed"}, "sort": {"-confirmed"}} },
		func() url.Values { return url.Values{"author": {org()}, "sort": {"-created"}} },
		func() url.Values { return url.Values{"topics": {fmt.Sprintf("topic-%03d", rng.Intn(benchTopics))}} },
		func() url.Values {
			return url.Values{"tag": {fmt.Sprintf("tag-%02d", rng.Intn(benchTags))}, "sort": {"sequence"}}
		},
		func() url.Values {
			return url.Values{"type": {"private"}, "sort": {"-created"}, "skip": {strconv.Itoa(rng.Intn(40) * 25)}}
		},
		func() url.Values {
			return url.Values{"batch": {benchBatch(rng.Intn(rows / benchPerBatch)).String()}}
		},
		func() url.Values {
			return url.Values{"created": {">=" + benchCreated(rng.Intn(rows)).Format(time.RFC3339Nano)}, "sort": {"created"}, "limit": {"50"}}
		},
		func() url.Values {
			return url.Values{"sequence": {">=" + strconv.Itoa(rng.Intn(rows)+1)}, "sort": {"sequence"}, "limit": {"100"}}
		},
		func() url.Values {
			return url.Values{"author": {org()}, "type": {"broadcast"}, "sort": {"-confirmed"}, "skip": {"100"}}
		},
		func() url.Values { return url.Values{"id": {benchID(rng.Intn(rows)).String()}} },
		func() url.Values {
			return url.Values{"group": {fmt.Sprintf("%064x", [32]byte{byte(rng.Intn(benchGroups))})}, "sort": {"-created"}}
		},
	}
	out := make([]url.Values, n)
	for i := range out {
		out[i] = shapes[rng.Intn(len(shapes))]()
		if count {
			out[i].Set("count", "true")
		}
	}
	return out
}

// BenchmarkQueryMix loads a messages table the way a rebuild does (indexes
// deferred, then built), then sends querybench's request mix from two
// concurrent clients straight to Find (no HTTP) and reports the
// percentiles as BENCH lines:
//
//	LM_REQUIRE_SERVICES=1 go test ./adapters/readmodel/postgres -run XXX -bench QueryMix -benchtime 1x -timeout 30m
//
// LM_BENCH_SCHEMA keeps the table in that schema between runs (loaded once,
// not dropped).
func BenchmarkQueryMix(b *testing.B) {
	n := benchRows
	if v, err := strconv.Atoi(os.Getenv("LM_BENCH_ROWS")); err == nil && v > 0 {
		n = v
	}
	ctx := context.Background()
	var cfg Config
	if schema := os.Getenv("LM_BENCH_SCHEMA"); schema != "" {
		cfg = Config{URL: pgtest.Require(b), Schema: schema}
	} else {
		url, schema := pgtest.Schema(b)
		cfg = Config{URL: url, Schema: schema}
	}
	cfg.DeferIndexes = true
	s, err := Open(ctx, cfg, []*projections.Table{projections.MessagesTable}, testLogB(b))
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	var have int
	if err := s.pool.QueryRow(ctx, "SELECT count(*) FROM messages").Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have != n {
		if have != 0 {
			b.Fatalf("schema %s holds %d messages, not %d", cfg.Schema, have, n)
		}
		start := time.Now()
		rng := rand.New(rand.NewSource(1))
		for done := 0; done < n; {
			tx, err := s.Begin(ctx)
			if err != nil {
				b.Fatal(err)
			}
			for m := done; m < min(done+20_000, n); m++ {
				row, doc := benchMessage(m, rng)
				if err := tx.Put(projections.MessagesTable, row, doc); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			done = min(done+20_000, n)
		}
		loaded := time.Since(start)
		if err := s.BuildIndexes(ctx); err != nil {
			b.Fatal(err)
		}
		benchLine("readmodel_pg_bulk_load", float64(n)/loaded.Seconds(), "rows/s")
		benchLine("readmodel_pg_bulk_index_build", (time.Since(start) - loaded).Seconds(), "s")
	} else if err := s.BuildIndexes(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, "VACUUM ANALYZE messages"); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name     string
		requests int
		count    bool
	}{{"query.messages", 5000, false}, {"query.messages.count", 200, true}} {
		took := runMix(b, s, benchMix(c.requests, n, c.count), 2)
		slices.Sort(took)
		benchLine(c.name+".p50_ms", ms(took[len(took)/2]), "ms")
		benchLine(c.name+".p99_ms", ms(took[(len(took)*99+99)/100-1]), "ms")
	}
}

func runMix(b *testing.B, s *Store, mix []url.Values, clients int) []time.Duration {
	took := make([]time.Duration, len(mix))
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	for range clients {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(mix) {
					return
				}
				q, err := query.Parse(projections.MessagesTable.Collection(), mix[i])
				if err == nil {
					t0 := time.Now()
					_, _, err = s.Find(context.Background(), projections.MessagesTable, "default", q)
					took[i] = time.Since(t0)
				}
				if err != nil {
					failed.Store(fmt.Errorf("%s: %w", mix[i].Encode(), err))
					return
				}
			}
		})
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	return took
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// benchLine prints a figure in the stable form CONVENTIONS.md asks for.
func benchLine(name string, v float64, unit string) {
	fmt.Printf("BENCH %s=%.3f %s\n", name, v, unit)
}
