package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/adapters/eventstore/sqlite"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
	"github.com/ledgermirror/ledgermirror/domain/catalogue"
	"github.com/ledgermirror/ledgermirror/projections/generation"
)

func newRebuildCommand(a *app) *cobra.Command {
	var projection string
	var all bool
	cmd := &cobra.Command{
		Use:   "rebuild [--projection NAME | --all]",
		Short: "Rebuild a stopped node's read model from its event store",
		Long: "Builds a new generation of the node's read model from position 0 of its event store, beside\n" +
			"the current one, then makes it the node's read model and removes the old one. The node must\n" +
			"be stopped (a running node rebuilds live: POST /api/v1/admin/rebuild). Interrupted (Ctrl-C,\n" +
			"a crash), it leaves the old read model in place, and running it again resumes where it was.\n" +
			"A generation is one file, so every projection is rebuilt; --projection only checks the name.\n" +
			"Progress goes to stderr: a bar with rate and ETA on a terminal, a line every few seconds otherwise.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if all && projection != "" {
				return &usageError{errors.New("--projection and --all exclude each other")}
			}
			cfg, log, err := a.loadConfig()
			if err != nil {
				return err
			}
			return runRebuild(cmd.Context(), a, cfg, log, projection)
		},
	}
	cmd.Flags().StringVar(&projection, "projection", "", "the projection asked for, e.g. messages.v2 (every projection is rebuilt)")
	cmd.Flags().BoolVar(&all, "all", false, "rebuild every projection (the default)")
	return cmd
}

func runRebuild(ctx context.Context, a *app, cfg config.Config, log zerolog.Logger, projection string) error {
	// Offline, only the SQLite event store's lock says the node is stopped;
	// on PostgreSQL or KurrentDB nothing would keep a running node from
	// writing the same stores, so the live rebuild (which the node itself
	// runs) is the way.
	if cfg.EventStore.Driver != config.DriverSQLite || cfg.ReadModel.Driver != config.DriverSQLite {
		return &usageError{fmt.Errorf("ledgermirror rebuild works on a stopped node's SQLite stores; with PostgreSQL or KurrentDB " +
			"(eventStore.driver postgres or kurrentdb, or readModel.driver postgres) rebuild live with POST /api/v1/admin/rebuild")}
	}
	path := cfg.EventStore.SQLite.Path
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		return &usageError{fmt.Errorf("no event store at %s: nothing to rebuild from (check --config and --data-dir)", path)}
	}
	// The command reports its own progress; the adapters' info lines
	// (tables opened, indexes built) would only break the bar.
	quiet := log.Level(max(log.GetLevel(), zerolog.WarnLevel))
	store, err := sqlite.Open(ctx, cfg.EventStore.SQLite, quiet.With().Str("component", "eventstore").Logger())
	if errors.Is(err, sqlite.ErrLocked) {
		return fmt.Errorf("the node is running (%w): stop it first, or rebuild it live with POST /api/v1/admin/rebuild", err)
	}
	if err != nil {
		return fmt.Errorf("opening the event store: %w", err)
	}
	defer func() { _ = store.Close() }()
	gcfg := network.ReadModelGenerations(cfg, store, catalogue.Default(), quiet)
	if projection != "" {
		fmt.Fprintf(a.stderr, "a generation is one file: every projection is rebuilt, %s included\n", projection)
	}
	bar := newProgressBar(a.stderr, "rebuild", isTerminal(a.stderr), time.Now)
	st, err := generation.Rebuild(ctx, gcfg, projection, bar.update)
	bar.end()
	switch {
	case errors.Is(err, generation.ErrUnknownProjection):
		return &usageError{err}
	case err != nil && ctx.Err() != nil:
		return fmt.Errorf("rebuild interrupted at position %d of %d; the old read model is unchanged and running `ledgermirror rebuild` again resumes", st.Position, st.Head)
	case err != nil:
		return fmt.Errorf("rebuild failed (the old read model is unchanged): %w", err)
	}
	took := st.Finished.Sub(*st.Started)
	fmt.Fprintf(a.stdout, "read model rebuilt: generation %d (%s), %d events in %s (%s events/s)\n",
		st.Generation, generation.Path(cfg.ReadModel.SQLite.Path, st.Generation), st.Head,
		took.Round(time.Millisecond), humanCount(float64(st.Head)/max(took.Seconds(), 1e-3)))
	return nil
}

// isTerminal says whether w is a character device (a terminal), where the
// bar redraws one line; elsewhere (a file, a pipe, CI logs) it prints lines.
func isTerminal(w any) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
