package storebench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres"
	"github.com/ledgermirror/ledgermirror/domain/event"
)

// pgBench runs the measurements on Postgres: each named store is a schema
// of its own (lm_bench_<run>_<name>), so runs never see each other's events
// and every schema is dropped when Run returns.
type pgBench struct {
	url   string
	run   string
	admin *pgx.Conn

	mu      sync.Mutex
	schemas map[string]bool
}

func newPGBench(ctx context.Context, url string) (*pgBench, error) {
	admin, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &pgBench{url: url, run: hex.EncodeToString(b), admin: admin, schemas: map[string]bool{}}, nil
}

func (p *pgBench) schema(name string) string {
	return "lm_bench_" + p.run + "_" + strings.ReplaceAll(name, "-", "_")
}

func (p *pgBench) open(ctx context.Context, name string) (*postgres.Store, error) {
	schema := p.schema(name)
	p.mu.Lock()
	p.schemas[schema] = true
	p.mu.Unlock()
	return postgres.Open(ctx, postgres.Config{URL: p.url, Schema: schema}, zerolog.Nop())
}

func (p *pgBench) drop(name string) { p.dropSchema(p.schema(name)) }

func (p *pgBench) dropSchema(schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, _ = p.admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	p.mu.Lock()
	delete(p.schemas, schema)
	p.mu.Unlock()
}

func (p *pgBench) dropAll() {
	p.mu.Lock()
	var left []string
	for s := range p.schemas {
		left = append(left, s)
	}
	p.mu.Unlock()
	for _, s := range left {
		p.dropSchema(s)
	}
	_ = p.admin.Close(context.Background())
}

// rawInsertPostgres writes the batched workload's rows into a bare table (no
// primary key, no index, the events table's column types) in the same
// database: 100 rows per transaction, sent as one pipelined batch of
// prepared single-row INSERTs, what a plain pgx program does. It is the
// floor the store's batched append is compared with.
func (b bench) rawInsertPostgres(ctx context.Context, w workload) (float64, error) {
	const name = "raw-insert"
	schema := b.pg.schema(name)
	b.pg.mu.Lock()
	b.pg.schemas[schema] = true
	b.pg.mu.Unlock()
	defer b.pg.drop(name)
	table := pgx.Identifier{schema, "raw_events"}.Sanitize()
	if _, err := b.pg.admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{schema}.Sanitize()); err != nil {
		return 0, err
	}
	if _, err := b.pg.admin.Exec(ctx, "CREATE TABLE "+table+` (
		id uuid, stream text, revision bigint, type text, version integer, recorded timestamptz, data json,
		correlation_id text, causation_id text, node text, namespace text)`); err != nil {
		return 0, err
	}
	insert := "INSERT INTO " + table + " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
	b.progress(fmt.Sprintf("%s: %d rows, %d per transaction", NameRawInsert, w.total, appendBatch))
	start := time.Now()
	for g, group := range w.groups {
		tx, err := b.pg.admin.Begin(ctx)
		if err != nil {
			return 0, err
		}
		batch := &pgx.Batch{}
		recorded := time.Now().UTC()
		for i, e := range group {
			m := e.Metadata
			batch.Queue(insert, e.ID, w.streams[g], i+1, e.Type, e.Version, recorded, []byte(e.Data),
				m.CorrelationID, m.CausationID, m.Node, m.Namespace)
		}
		if err := tx.SendBatch(ctx, batch).Close(); err != nil {
			_ = tx.Rollback(ctx)
			return 0, err
		}
		if err := tx.Commit(ctx); err != nil {
			return 0, err
		}
	}
	return rate(w.total, time.Since(start)), nil
}

// appendConcurrent spreads the single-event workload's streams over
// concurrentAppenders goroutines, each appending one event per Append with
// an exact expected revision: what a busy node's API handlers do at once.
func (b bench) appendConcurrent(ctx context.Context, w workload) (float64, error) {
	defer b.discard(concurrentName)
	store, err := b.open(ctx, concurrentName, true)
	if err != nil {
		return 0, err
	}
	defer store.Close()
	b.progress(fmt.Sprintf("%s: %d events, one per Append, %d appenders", NameAppendConcurrent, w.total, concurrentAppenders))
	errs := make([]error, concurrentAppenders)
	var wg sync.WaitGroup
	start := time.Now()
	for a := range concurrentAppenders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for g := a; g < len(w.groups); g += concurrentAppenders {
				for i, e := range w.groups[g] {
					if _, err := store.Append(ctx, w.streams[g], event.Exact(event.Revision(i)), e); err != nil {
						errs[a] = err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	return rate(w.total, el), store.Close()
}
