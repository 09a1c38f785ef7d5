package storebench

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"

	rmpostgres "github.com/ledgermirror/ledgermirror/adapters/readmodel/postgres"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
)

// queryName is the read model's schema in the run's naming.
const queryName = "query"

// queries measures query.messages on a Postgres read model of every
// projection, in a schema of its own dropped afterwards, opened as a
// rebuild opens one (indexes deferred until the rows are in), through the
// code `bench query` measures SQLite with.
func (p *pgBench) queries(ctx context.Context, opts querybench.MessagesOptions, progress func(string)) ([]Result, error) {
	schema := p.schema(queryName)
	p.mu.Lock()
	p.schemas[schema] = true
	p.mu.Unlock()
	defer p.drop(queryName)
	progress(fmt.Sprintf("%s: a read model of %d messages in schema %s", querybench.NameMessagesP99, opts.Messages, schema))
	rm, err := rmpostgres.Open(ctx, rmpostgres.Config{URL: p.url, Schema: schema, DeferIndexes: true},
		projections.Tables(), zerolog.Nop())
	if err != nil {
		return nil, fmt.Errorf("%s: %w", querybench.NameMessagesP99, err)
	}
	defer func() { _ = rm.Close() }()
	return querybench.RunMessages(ctx, rm, opts, progress)
}
