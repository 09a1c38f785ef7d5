package network

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/rs/zerolog"

	rmsqlite "github.com/ledgermirror/ledgermirror/adapters/readmodel/sqlite"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/domain/event"
	"github.com/ledgermirror/ledgermirror/projections"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

// rebuildBatch is how many events a rebuilding runner applies per
// transaction: with deferred indexes a larger transaction is cheaper per
// row (36k against 10k events/s at 1,000, see adapters/readmodel/sqlite).
const rebuildBatch = 10_000

// ReadModelGenerations is the generation.Config of a node's read side: its
// SQLite read model, one file per generation (readModel.sqlite.path for
// generation 0, then readmodel-1.db, ...), run by projections.All over
// events, and the pointer file <readModel.sqlite.path>.generation. The
// member opens a generation.Set on it, `ledgermirror rebuild` calls
// generation.Rebuild. cat decodes the events: pass the member's own, so the
// projections decode an event its other subscribers decoded already (the
// SQLite store's live tail shares one event.Memo per event, keyed by the
// catalogue).
func ReadModelGenerations(cfg config.Config, events event.Store, cat *catalogue.Catalogue, log zerolog.Logger) generation.Config {
	var names []string
	for _, p := range projections.All() {
		names = append(names, p.Name())
	}
	return generation.Config{
		Pointer:    cfg.ReadModel.SQLite.Path + ".generation",
		Events:     events,
		ReadModel:  sqliteReadModels{cfg: cfg.ReadModel.SQLite, events: events, cat: cat, log: log},
		Projectors: names,
		Log:        log.With().Str("component", "generation").Logger(),
	}
}

// sqliteReadModels is the read-model component on the SQLite adapter.
type sqliteReadModels struct {
	cfg    rmsqlite.Config
	events event.Store
	cat    *catalogue.Catalogue
	log    zerolog.Logger
}

func (c sqliteReadModels) Name() string { return "readmodel" }

func (c sqliteReadModels) Open(ctx context.Context, n uint64, rebuilding bool) (generation.Part, error) {
	cfg := c.cfg
	cfg.Path = generation.Path(c.cfg.Path, n)
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
	rm, err := rmsqlite.Open(ctx, cfg, projections.Tables(), c.log)
	if err != nil {
		if errors.Is(err, rmsqlite.ErrSchemaChanged) && !rebuilding {
			err = fmt.Errorf("%w (stop the node and run `ledgermirror rebuild` to build the read model anew)", err)
		}
		return nil, err
	}
	runner, err := projections.NewRunner(c.events, rm, c.cat, opts, projections.All()...)
	if err != nil {
		return nil, errors.Join(err, rm.Close())
	}
	return &sqlitePart{rm: rm, Runner: runner}, nil
}

func (c sqliteReadModels) Remove(n uint64) error {
	path := generation.Path(c.cfg.Path, n)
	var errs []error
	for _, suffix := range []string{"", "-wal", "-shm"} {
		if err := os.Remove(path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// sqlitePart is one generation's SQLite read model and its runner
// (Run and Positions are the runner's).
type sqlitePart struct {
	rm *rmsqlite.Store
	*projections.Runner
}

func (p *sqlitePart) Store() projections.Store { return p.rm }

// Seal builds the indexes the bulk load deferred.
func (p *sqlitePart) Seal(ctx context.Context) error { return p.rm.BuildIndexes(ctx) }

func (p *sqlitePart) Close() error { return p.rm.Close() }
