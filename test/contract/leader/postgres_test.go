//go:build integration

package leader_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres/pgtest"
	lpostgres "github.com/ledgermirror/ledgermirror/adapters/leader/postgres"
	"github.com/ledgermirror/ledgermirror/domain/leader"
	suite "github.com/ledgermirror/ledgermirror/test/contract/leader"
)

// TestPostgres runs the suite on advisory locks in a real server, each
// test in its own scope, with a 2 s lease.
func TestPostgres(t *testing.T) {
	url := pgtest.Require(t)
	const lease = 2 * time.Second
	scopes := map[string]string{}
	n := 0
	suite.Run(t, suite.Harness{Lease: lease,
		New: func(t *testing.T) leader.Elector {
			scope, ok := scopes[t.Name()]
			if !ok {
				b := make([]byte, 6)
				_, _ = rand.Read(b)
				scope = "test-" + hex.EncodeToString(b)
				scopes[t.Name()] = scope
			}
			n++
			e, err := lpostgres.Open(context.Background(), lpostgres.Config{URL: url, Scope: scope,
				Instance: fmt.Sprintf("%s-%d", scope, n), Lease: lease}, zerolog.Nop())
			require.NoError(t, err)
			t.Cleanup(func() { _ = e.Close() })
			return e
		},
		// Sever ends the instance's session on the server, as a server
		// restart or a dropped connection would.
		Sever: func(t *testing.T, e leader.Elector) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			conn, err := pgx.Connect(ctx, url)
			require.NoError(t, err)
			defer func() { _ = conn.Close(ctx) }()
			var killed int
			require.NoError(t, conn.QueryRow(ctx,
				"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1",
				"ledgermirror leader "+e.Instance()).Scan(&killed))
			require.Equal(t, 1, killed, "the instance's session")
		}})
}
