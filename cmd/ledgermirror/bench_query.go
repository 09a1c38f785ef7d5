package main

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"
	"github.com/ledgermirror/ledgermirror/test/bench/querybench"
)

func newBenchQueryCommand(a *app) *cobra.Command {
	var (
		asJSON     bool
		cpuProfile string
		opts       querybench.Options
	)
	cmd := &cobra.Command{
		Use:   "query",
		Short: "The read side: rebuilding the projections, collection queries over HTTP, search",
		Long: "Generates a node's event log through the real event types, then measures:\n" +
			"query.rebuild: every projection rebuilt from an event store of --events events into a new\n" +
			"SQLite read model, indexes included (target >= 100,000 events/s). query.messages.p50_ms /\n" +
			"p99_ms: a mix of GET /messages filters, sorts and pages from --clients clients against the\n" +
			"real API over a read model of --messages confirmed messages (target p99 < 20 ms);\n" +
			"query.messages.count.p99_ms: the same mix with count=true. query.search.index /\n" +
			"query.search.p99_ms: the messages indexed into Bleve, then --searches searches.\n" +
			"query.rss_mb: the process's peak resident memory (target < 300).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// querybench treats 0 as "use the default"; on the command line
			// an explicit 0 is a mistake. It validates everything else.
			for flag, v := range map[string]int{"events": opts.Events, "messages": opts.Messages,
				"requests": opts.Requests, "clients": opts.Clients, "count-requests": opts.CountRequests,
				"searches": opts.Searches} {
				if v == 0 {
					return &usageError{fmt.Errorf("--%s must be positive", flag)}
				}
			}
			if cpuProfile != "" {
				f, err := os.Create(cpuProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				opts.CPUProfile = f
			}
			return runSuite(cmd, a, "query", asJSON, querybench.ErrInvalidOptions, func(ctx context.Context, progress func(string)) ([]figure.Figure, error) {
				return querybench.Run(ctx, opts, progress)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON object per figure")
	f.IntVar(&opts.Events, "events", querybench.DefaultEvents, "events in the event store query.rebuild projects")
	f.IntVar(&opts.Messages, "messages", querybench.DefaultMessages, "confirmed messages in the read model and the search index")
	f.IntVar(&opts.Requests, "requests", querybench.DefaultRequests, "requests of the GET /messages mix")
	f.IntVar(&opts.Clients, "clients", querybench.DefaultClients, "concurrent HTTP clients sending the mix")
	f.IntVar(&opts.CountRequests, "count-requests", querybench.DefaultCountRequests, "requests of the mix with count=true")
	f.IntVar(&opts.Searches, "searches", querybench.DefaultSearches, "searches of the search mix")
	f.StringVar(&opts.Dir, "dir", "", "directory for the benchmark's files (default: a temporary directory, removed afterwards)")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the rebuild to this file")
	_ = f.MarkHidden("cpuprofile")
	return cmd
}
