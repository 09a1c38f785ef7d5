package readmodel_test

import (
	"context"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	rmpostgres "github.com/ledgermirror/ledgermirror/adapters/readmodel/postgres"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/test/contract/readmodel"
)

// TestPostgres runs the contract on the Postgres read model, each store in
// a schema of its own (skipped without a server unless
// LM_REQUIRE_SERVICES=1).
func TestPostgres(t *testing.T) {
	pgtest.Require(t)
	readmodel.Run(t, func(t *testing.T, tables []*projections.Table) projections.Store {
		url, schema := pgtest.Schema(t)
		cfg := rmpostgres.Config{URL: url, Schema: schema}
		store, err := rmpostgres.Open(context.Background(), cfg, tables, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
		require.NoError(t, err)
		return store
	})
}
