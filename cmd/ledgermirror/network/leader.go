package network

import (
	"context"
	"errors"
	"fmt"

	"github.com/rs/zerolog"

	lpostgres "github.com/ledgermirror/ledgermirror/adapters/leader/postgres"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/domain/leader"
)

// openElector returns the member's elector. With the event store on
// PostgreSQL several instances of the member may share it, so roles are
// elected there (advisory locks, scoped to the org and the store's schema);
// an embedded store has one instance, which holds every role.
func openElector(ctx context.Context, cfg config.Config, log zerolog.Logger) (leader.Elector, error) {
	if cfg.EventStore.Driver != config.DriverPostgres {
		return leader.NewLocal(cfg.Cluster.Instance), nil
	}
	pg := cfg.EventStore.Postgres
	return lpostgres.Open(ctx, lpostgres.Config{URL: pg.URL, Scope: cfg.Node.Org + "/" + pg.Schema,
		Instance: cfg.Cluster.Instance, Lease: cfg.Cluster.Lease}, log)
}

// leadership shows the elector's instance and the roles it holds.
type leadership struct {
	e leader.Elector
	r *leader.Roles
}

func (l leadership) Instance() string           { return l.e.Instance() }
func (l leadership) Roles() []leader.RoleStatus { return l.r.Snapshot() }

// projectOwnReadModel runs the read model's projections (run) once this
// instance holds the read model's role. Each instance of a member projects
// into a read model of its own; two instances projecting into one Postgres
// schema would overwrite each other's rows with older ones. An instance
// that finds its schema held by another stops with an error that says so,
// instead of serving a read model it does not keep.
func projectOwnReadModel(cfg config.Config, e leader.Elector, roles *leader.Roles, run func(context.Context) error) func(context.Context) error {
	if cfg.ReadModel.Driver != config.DriverPostgres {
		return run // a file in this instance's data directory
	}
	role := "readmodel/" + cfg.ReadModel.Postgres.Schema
	return func(ctx context.Context) error {
		// Long enough for a vanished holder's lease to run out.
		claim, cancel := context.WithTimeout(ctx, 3*cfg.Cluster.Lease)
		lease, err := e.Campaign(claim, role)
		cancel()
		if ctx.Err() != nil {
			return nil //nolint:nilerr // stopping: the failed campaign is the shutdown
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("readModel.postgres.schema %q is kept by another instance of this member: give each instance its own schema (or readModel.driver: sqlite)",
				cfg.ReadModel.Postgres.Schema)
		}
		if err != nil {
			return err
		}
		return leader.Hold(ctx, e, role, lease, roles, run)
	}
}
