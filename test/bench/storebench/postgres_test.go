//go:build integration

package storebench

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
)

// TestRunPostgresReportsEveryFigure runs the whole Postgres suite small,
// the query phase included (2,000 messages through the projectors into a
// Postgres read model, queried over HTTP), and checks that it leaves no
// schema behind.
func TestRunPostgresReportsEveryFigure(t *testing.T) {
	url := pgtest.Require(t) // skips (or fails under LM_REQUIRE_SERVICES=1) without a server
	var msgs []string
	results, err := Run(context.Background(), Options{Driver: DriverPostgres, URL: url, Events: 1000, SingleEvents: 200,
		Queries: querybench.MessagesOptions{Messages: 2000, Requests: 300, CountRequests: 20}},
		func(m string) { msgs = append(msgs, m) })
	require.NoError(t, err)
	names := []string{NameAppendSingle, NameAppendBatched, NameAppendConcurrent, NameReadAll, NameSubscribeCatch, NameRawInsert, NameAppendRatio,
		NameQueryP50, NameQueryP99, NameQueryCountP99}
	require.Len(t, results, len(names))
	for i, r := range results {
		assert.Equal(t, names[i], r.Name)
		assert.Positive(t, r.Value, r.Name)
	}
	assert.LessOrEqual(t, results[7].Value, results[8].Value, "p50 <= p99")
	var schema string
	for _, m := range msgs {
		if _, after, ok := strings.Cut(m, "a read model of 2000 messages in schema "); ok {
			schema = after
		}
	}
	require.NotEmpty(t, schema, "%q", msgs)

	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(context.Background()) }()
	run := strings.TrimSuffix(schema, "_"+queryName)
	var left []string
	rows, err := conn.Query(context.Background(), "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)", run)
	require.NoError(t, err)
	left, err = pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Empty(t, left, "schemas of the run left behind")
}
