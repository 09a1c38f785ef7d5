//go:build integration

package network

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/domain/leader"
)

// TestSecondInstanceRefusesASharedReadModel: two instances of a member
// configured with one Postgres read-model schema; the second stops with an
// error naming the setting, while the first keeps projecting.
func TestSecondInstanceRefusesASharedReadModel(t *testing.T) {
	url, schema := pgtest.Schema(t)
	cfg := config.Defaults()
	cfg.EventStore.Driver, cfg.EventStore.Postgres.URL, cfg.EventStore.Postgres.Schema = config.DriverPostgres, url, schema
	cfg.ReadModel.Driver, cfg.ReadModel.Postgres.Schema = config.DriverPostgres, schema+"_rm"
	cfg.Cluster.Lease = time.Second
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	roles := leader.NewRoles()
	open := func(instance string) func(context.Context) error {
		c := cfg
		c.Cluster.Instance = instance
		e, err := openElector(ctx, c, zerolog.Nop())
		require.NoError(t, err)
		t.Cleanup(func() { _ = e.Close() })
		return projectOwnReadModel(c, e, roles, func(ctx context.Context) error {
			<-ctx.Done()
			return ctx.Err()
		})
	}
	first := make(chan error, 1)
	go func() { first <- open("a")(ctx) }()
	require.Eventually(t, func() bool {
		r := roles.Snapshot()
		return len(r) == 1 && r[0].Leader
	}, 10*time.Second, 5*time.Millisecond, "a takes the role")
	err := open("b")(ctx)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "readModel.postgres.schema")
	assert.Contains(t, err.Error(), "kept by another instance")
	select {
	case err := <-first:
		t.Fatalf("the first instance stopped: %v", err)
	default:
	}
	cancel()
	assert.NoError(t, <-first)
}
