package network

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/rs/zerolog"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/kurrentdb"
	espostgres "github.com/ledgermirror/ledgermirror/adapters/eventstore/postgres"
	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	rmpostgres "github.com/ledgermirror/ledgermirror/adapters/readmodel/postgres"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// OpenEventStore opens the event store eventStore.driver names.
func OpenEventStore(ctx context.Context, cfg config.EventStoreConfig, log zerolog.Logger) (event.Store, error) {
	log = log.With().Str("component", "eventstore").Logger()
	switch cfg.Driver {
	case config.DriverPostgres:
		return espostgres.Open(ctx, cfg.Postgres, log)
	case config.DriverSQLite:
		return sqlite.Open(ctx, cfg.SQLite, log)
	case config.DriverKurrentDB:
		return kurrentdb.Open(ctx, cfg.KurrentDB, log)
	}
	return nil, fmt.Errorf("eventStore.driver %q is not supported", cfg.Driver)
}

// Generations is the generation.Config of a node's read side on the
// adapter readModel.driver names: ReadModelGenerations for SQLite, and for
// Postgres one schema per generation (readModel.postgres.schema for
// generation 0, then <schema>_g1, ...) with the pointer file
// <dataDir>/readmodel-postgres.generation. cat is as for ReadModelGenerations.
func Generations(cfg config.Config, events event.Store, cat *catalogue.Catalogue, log zerolog.Logger) generation.Config {
	gcfg := ReadModelGenerations(cfg, events, cat, log)
	if cfg.ReadModel.Driver == config.DriverPostgres {
		gcfg.Pointer = filepath.Join(cfg.Node.DataDir, "readmodel-postgres.generation")
		gcfg.ReadModel = postgresReadModels{cfg: cfg.ReadModel.Postgres, events: events, cat: cat, log: log}
	}
	return gcfg
}

// postgresReadModels is the read-model component on the Postgres adapter.
type postgresReadModels struct {
	cfg    rmpostgres.Config
	events event.Store
	cat    *catalogue.Catalogue
	log    zerolog.Logger
}

func (c postgresReadModels) Name() string { return "readmodel" }

// schema is generation n's schema.
func (c postgresReadModels) schema(n uint64) string {
	cfg := c.cfg
	cfg.SetDefaults()
	if n == 0 {
		return cfg.Schema
	}
	return cfg.Schema + "_g" + strconv.FormatUint(n, 10)
}

func (c postgresReadModels) Open(ctx context.Context, n uint64, rebuilding bool) (generation.Part, error) {
	cfg := c.cfg
	cfg.Schema = c.schema(n)
	opts := projections.RunnerOptions{OnSkipped: func(ev event.Event, err error) {
		c.log.Warn().Uint64("position", uint64(ev.Position)).Str("type", ev.Type).Uint64("generation", n).Err(err).
			Msg("projections skipped an event")
	}, OnStorageRetry: func(err error) {
		c.log.Error().Uint64("generation", n).Err(err).Msg("the read model cannot be written now; waiting for the disk")
	}}
	if rebuilding {
		cfg.DeferIndexes = true
		opts.BatchSize = rebuildBatch
	}
	rm, err := rmpostgres.Open(ctx, cfg, projections.Tables(), c.log)
	if err != nil {
		if errors.Is(err, rmpostgres.ErrSchemaChanged) && !rebuilding {
			err = fmt.Errorf("%w (stop the node and run `ledgermirror rebuild` to build the read model anew)", err)
		}
		return nil, err
	}
	runner, err := projections.NewRunner(c.events, rm, c.cat, opts, projections.All()...)
	if err != nil {
		return nil, errors.Join(err, rm.Close())
	}
	return &postgresPart{rm: rm, Runner: runner}, nil
}

// Remove drops generation n's schema.
func (c postgresReadModels) Remove(n uint64) error {
	cfg := c.cfg
	cfg.Schema = c.schema(n)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	return rmpostgres.DropSchema(ctx, cfg)
}

// postgresPart is one generation's Postgres read model and its runner.
type postgresPart struct {
	rm *rmpostgres.Store
	*projections.Runner
}

func (p *postgresPart) Store() projections.Store { return p.rm }

// Seal builds the indexes the bulk load deferred.
func (p *postgresPart) Seal(ctx context.Context) error { return p.rm.BuildIndexes(ctx) }

func (p *postgresPart) Close() error { return p.rm.Close() }
