package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/query"
)

// Run with -benchtime=200000x (or more) for the Put benchmarks: a figure
// depends on how big the table is, so a fixed size is what compares.

// messageGen makes message rows shaped like a busy network's: 200 authors,
// 300 topics, most messages confirmed, a batch per hundred, documents of
// ~700 bytes.
type messageGen struct {
	rng   *rand.Rand
	i     int
	batch [16]byte
}

func newMessageGen(seed int64) *messageGen { return &messageGen{rng: rand.New(rand.NewSource(seed))} }

func (g *messageGen) next() (query.Row, json.RawMessage) {
	rng, i := g.rng, g.i
	g.i++
	var id [16]byte
	var hash [32]byte
	rng.Read(id[:])
	rng.Read(hash[:])
	if i%100 == 0 {
		rng.Read(g.batch[:])
	}
	created := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 10 * time.Millisecond)
	author := fmt.Sprintf("did:firefly:org/org-%03d", rng.Intn(200))
	topics := []string{fmt.Sprintf("topic-%03d", rng.Intn(300))}
	if rng.Intn(4) == 0 {
		topics = append(topics, fmt.Sprintf("topic-%03d", rng.Intn(300)))
	}
	row := query.Row{
		projections.NamespaceField: "default", "id": id, "type": "broadcast", "author": author,
		"key": fmt.Sprintf("0x%040x", rng.Intn(200)), "topics": topics, "created": created,
		"state": projections.StatePending, "hash": hash, "batch": g.batch,
	}
	if rng.Intn(3) == 0 {
		row["tag"] = fmt.Sprintf("tag-%02d", rng.Intn(20))
	}
	if rng.Intn(5) == 0 {
		row["type"] = "private"
		row["group"] = [32]byte{byte(rng.Intn(10))}
	}
	switch r := rng.Intn(20); {
	case r < 16:
		row["state"] = projections.StateConfirmed
		row["confirmed"] = created.Add(2 * time.Second)
		row["sequence"] = int64(i + 1)
	case r < 17:
		row["state"] = projections.StateRejected
		row["reason"] = "nonce-mismatch"
		row["confirmed"] = created.Add(2 * time.Second)
		row["sequence"] = int64(i + 1)
	}
	doc, err := json.Marshal(map[string]any{
		"header": map[string]any{"id": fmt.Sprintf("%x", id), "type": row["type"], "author": author,
			"key": row["key"], "topics": topics, "tag": row["tag"], "created": created, "namespace": "default",
			"datahash": fmt.Sprintf("%x", hash)},
		"hash": fmt.Sprintf("%x", hash), "state": row["state"], "batch": fmt.Sprintf("%x", g.batch),
		"data": []map[string]string{{"id": fmt.Sprintf("%x", id[:8]), "hash": fmt.Sprintf("%x", hash)}},
	})
	if err != nil {
		panic(err)
	}
	return row, doc
}

func (g *messageGen) rows(n int) ([]query.Row, []json.RawMessage) {
	rows, docs := make([]query.Row, n), make([]json.RawMessage, n)
	for i := range rows {
		rows[i], docs[i] = g.next()
	}
	return rows, docs
}

// openBench opens a store for a benchmark; LM_BENCH_CACHE_MIB sets
// Config.CacheMiB.
func openBench(tb testing.TB, path string, deferIndexes bool) *Store {
	tb.Helper()
	cache, _ := strconv.Atoi(os.Getenv("LM_BENCH_CACHE_MIB"))
	s, err := Open(context.Background(), Config{Path: path, DeferIndexes: deferIndexes, CacheMiB: cache},
		[]*projections.Table{projections.MessagesTable}, zerolog.Nop())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// fill puts rows in transactions of batch rows.
func fill(tb testing.TB, s *Store, rows []query.Row, docs []json.RawMessage, batch int) {
	tb.Helper()
	ctx := context.Background()
	for i := 0; i < len(rows); i += batch {
		tx, err := s.Begin(ctx)
		if err != nil {
			tb.Fatal(err)
		}
		for j := i; j < min(i+batch, len(rows)); j++ {
			if err := tx.Put(projections.MessagesTable, rows[j], docs[j]); err != nil {
				tb.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkPut puts b.N new message rows (all distinct) into a fresh
// table, commits included: with the 13 secondary indexes kept up to date,
// in one transaction or 1000 rows per transaction (the runner's batch); and
// with the indexes deferred and built at the end (a rebuild), the build
// included.
func BenchmarkPut(b *testing.B) {
	for _, c := range []struct {
		name   string
		batch  int
		defers bool
	}{
		{"indexed/tx=1000", 1000, false},
		{"indexed/one-tx", 0, false},
		{"deferred/one-tx+build", 0, true},
		{"deferred/tx=1000+build", 1000, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			rows, docs := newMessageGen(1).rows(b.N)
			s := openBench(b, filepath.Join(b.TempDir(), "rm.db"), c.defers)
			batch := c.batch
			if batch == 0 {
				batch = b.N
			}
			b.ResetTimer()
			fill(b, s, rows, docs, batch)
			if c.defers {
				if err := s.BuildIndexes(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			report(b, "readmodel_put/"+c.name, float64(b.N)/b.Elapsed().Seconds(), "puts/s")
		})
	}
}

// BenchmarkProjectorShape replays what the messages projector does for
// b.N messages: per batch of 100 messages, 100 MessageSubmitted (Get,
// Put), one BatchSealed (Get, Put of each), 100 MessageConfirmed (Get,
// Put): 201 events and 300 Puts. Live: indexes kept up to date, 1000 events
// per transaction (the runner's batch). Rebuild: indexes deferred and built
// at the end (included), 10,000 events per transaction.
func BenchmarkProjectorShape(b *testing.B) {
	for _, c := range []struct {
		name   string
		batch  int
		defers bool
	}{
		{"live/tx=1000", 1000, false},
		{"rebuild/tx=10000+build", 10000, true},
	} {
		b.Run(c.name, func(b *testing.B) { projectorShape(b, c.name, c.batch, c.defers) })
	}
}

func projectorShape(b *testing.B, name string, batch int, defers bool) {
	rows, docs := newMessageGen(1).rows(b.N)
	s := openBench(b, filepath.Join(b.TempDir(), "rm.db"), defers)
	ctx := context.Background()
	events, puts := 0, 0
	b.ResetTimer()
	tx, err := s.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	step := func(n int) {
		if events += n; events%batch < n {
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			if tx, err = s.Begin(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	apply := func(i int, wantFound bool) {
		if _, found, err := tx.Get(projections.MessagesTable, "default", rows[i]["id"]); err != nil || found != wantFound {
			b.Fatal(found, err)
		}
		if err := tx.Put(projections.MessagesTable, rows[i], docs[i]); err != nil {
			b.Fatal(err)
		}
		puts++
	}
	for start := 0; start < b.N; start += 100 {
		end := min(start+100, b.N)
		for i := start; i < end; i++ {
			apply(i, false)
			step(1)
		}
		for i := start; i < end; i++ {
			apply(i, true)
		}
		step(1)
		for i := start; i < end; i++ {
			apply(i, true)
			step(1)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if defers {
		if err := s.BuildIndexes(ctx); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	secs := b.Elapsed().Seconds()
	b.ReportMetric(float64(puts)/secs, "puts/s")
	report(b, "readmodel_projector_shape/"+name, float64(events)/secs, "events/s")
}

// report prints the figure in the machine-readable form the project's
// benchmarks share, next to Go's own output.
func report(b *testing.B, name string, v float64, unit string) {
	b.ReportMetric(v, unit)
	if b.N > 1 {
		benchLine(name, v, unit)
	}
}

func benchLine(name string, v float64, unit string) {
	if v >= 100 {
		fmt.Printf("BENCH %s=%.0f %s\n", name, v, unit)
	} else {
		fmt.Printf("BENCH %s=%.3f %s\n", name, v, unit)
	}
}
