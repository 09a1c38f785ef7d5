package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"

	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
	"github.com/ledgermirror/ledgermirror/test/bench/storebench"
)

func newBenchCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure this machine: run a benchmark suite and print its figures",
		Long: "Each suite prints one line per figure: `BENCH name=value unit`, or with --json one\n" +
			"JSON object per line, {\"name\": ..., \"value\": ..., \"unit\": ...}. Progress goes to stderr.",
	}
	for _, suite := range benchSuites {
		cmd.AddCommand(suite(a))
	}
	cmd.AddCommand(newBenchAllCommand(a))
	return cmd
}

func newBenchStoreCommand(a *app) *cobra.Command {
	var (
		asJSON   bool
		messages int
		opts     storebench.Options
	)
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Event store throughput on a fresh SQLite file or Postgres schema (append, read, subscribe, raw insert baseline; on Postgres also query.messages)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// storebench treats 0 as "use the default"; on the command line
			// an explicit 0 is a mistake. It validates everything else.
			if opts.Events == 0 {
				return &usageError{errors.New("--events must be positive")}
			}
			if cmd.Flags().Changed("messages") || opts.Driver == storebench.DriverPostgres {
				if messages == 0 {
					return &usageError{errors.New("--messages must be positive")}
				}
				opts.Queries.Messages = messages
			}
			return runSuite(cmd, a, "store", asJSON, storebench.ErrInvalidOptions, func(ctx context.Context, progress func(string)) ([]figure.Figure, error) {
				return storebench.Run(ctx, opts, progress)
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object per figure")
	cmd.Flags().IntVar(&opts.Events, "events", 200000, "events per measurement")
	cmd.Flags().IntVar(&opts.SingleEvents, "single-events", 0, "events for store.append.single, one commit each (default: --events)")
	cmd.Flags().StringVar(&opts.Synchronous, "synchronous", "", "override the store's synchronous setting: normal or full")
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "directory for the benchmark files (default: a temporary directory, removed afterwards)")
	cmd.Flags().StringVar(&opts.Driver, "driver", storebench.DriverSQLite, "event store to measure: sqlite or postgres")
	cmd.Flags().StringVar(&opts.URL, "url", "", "Postgres connection URL (driver postgres; each measurement uses a fresh schema, dropped afterwards)")
	cmd.Flags().IntVar(&messages, "messages", querybench.DefaultMessages,
		"driver postgres: confirmed messages in the read model query.messages.p50_ms/p99_ms are measured on")
	return cmd
}

// runSuite runs one benchmark suite with its progress on stderr and prints
// its figures; the suite's invalid-options error is a usage error.
func runSuite(cmd *cobra.Command, a *app, suite string, asJSON bool, invalid error,
	run func(ctx context.Context, progress func(string)) ([]figure.Figure, error),
) error {
	progress := func(msg string) { fmt.Fprintf(a.stderr, "bench %s: %s\n", suite, msg) }
	results, err := run(cmd.Context(), progress)
	if errors.Is(err, invalid) {
		return &usageError{err}
	}
	if err != nil {
		return err
	}
	return printResults(a, asJSON, results)
}

func printResults(a *app, asJSON bool, results []figure.Figure) error {
	enc := json.NewEncoder(a.stdout)
	for _, r := range results {
		var err error
		if asJSON {
			err = enc.Encode(r)
		} else {
			_, err = fmt.Fprintf(a.stdout, "BENCH %s=%.6g %s\n", r.Name, r.Value, r.Unit)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
