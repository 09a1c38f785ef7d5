package main

import (
	"context"
	"fmt"
	"os"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"

	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/test/bench/aggbench"
)

func newBenchAggregatorCommand(a *app) *cobra.Command {
	var (
		asJSON     bool
		cpuProfile string
		opts       aggbench.Options
	)
	cmd := &cobra.Command{
		Use:   "aggregator",
		Short: "Aggregator decisions in memory (pins per second, unparking a long context)",
		Long: "Feeds the aggregator prebuilt broadcast batches and their pins and times only Apply.\n" +
			"aggregator.pins: pins decided per second (target >= 200,000/s). aggregator.unpark: ms to\n" +
			"confirm --unpark-pins pins parked behind one late batch, then twice as many; the ratio of\n" +
			"the two (median of --unpark-runs runs each) should stay <= 2.5. Fails if a message is not confirmed.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// aggbench treats 0 as "use the default"; on the command line an
			// explicit 0 is a mistake. It validates everything else.
			for flag, v := range map[string]int{"pins": opts.Pins, "contexts": opts.Contexts, "batch-size": opts.BatchSize,
				"unpark-pins": opts.UnparkPins, "unpark-runs": opts.UnparkRuns} {
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
			return runSuite(cmd, a, "aggregator", asJSON, aggbench.ErrInvalidOptions, func(ctx context.Context, progress func(string)) ([]figure.Figure, error) {
				return aggbench.Run(ctx, opts, progress)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON object per figure")
	f.IntVar(&opts.Pins, "pins", aggbench.DefaultPins, "pins decided by aggregator.pins")
	f.IntVar(&opts.Contexts, "contexts", aggbench.DefaultContexts, "broadcast contexts (topics) the pins are spread over")
	f.IntVar(&opts.BatchSize, "batch-size", aggbench.DefaultBatchSize, "messages (so pins) per batch and chain log")
	f.IntVar(&opts.UnparkPins, "unpark-pins", aggbench.DefaultUnparkPins, "pins parked behind the missing batch in aggregator.unpark")
	f.IntVar(&opts.UnparkRuns, "unpark-runs", aggbench.DefaultUnparkRuns, "runs of each unpark size; the median is reported")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of aggregator.pins' Apply calls to this file")
	return cmd
}
