//go:build integration

package eventstore_test

import (
	"context"
	"testing"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres"
	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/test/contract/eventstore"
)

// TestPostgres runs the suite against a real PostgreSQL, each subtest in a
// schema of its own that is dropped afterwards. Without a server it is
// skipped, or fails under LM_REQUIRE_SERVICES=1.
func TestPostgres(t *testing.T) {
	pgtest.Require(t) // once, rather than a skip per subtest
	eventstore.Run(t, eventstore.Harness{
		New: func(t *testing.T) (event.Store, func(t *testing.T) event.Store) {
			url, schema := pgtest.Schema(t)
			cfg := postgres.Config{URL: url, Schema: schema}
			open := func(t *testing.T) event.Store {
				store, err := postgres.Open(context.Background(), cfg, zerolog.New(zerolog.NewTestWriter(t)).Level(zerolog.WarnLevel))
				require.NoError(t, err)
				return store
			}
			return open(t), open
		},
	})
}
