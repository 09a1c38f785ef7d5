package main

import (
	"context"
	"fmt"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"

	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/test/bench/chainbench"
)

func newBenchChainCommand(a *app) *cobra.Command {
	var (
		asJSON bool
		opts   chainbench.Options
	)
	cmd := &cobra.Command{
		Use:   "chain",
		Short: "BatchPin pins submitted and observed per second (simulated chain; geth --dev with --geth)",
		Long: "Submits BatchPin pins through the Ethereum adapter and times until the chain follower has\n" +
			"observed them all. chain.pins.simulated: on go-ethereum's simulated chain, a block every\n" +
			"--commit-every transactions (target >= 1,000 pins/s). chain.pins.geth (with --geth): against\n" +
			"a geth --dev process, which mines one block per transaction. Fails unless every pin is observed\n" +
			"exactly once with the batch id it was submitted with.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// chainbench treats 0 as "use the default"; on the command line
			// an explicit 0 is a mistake. It validates everything else.
			for flag, v := range map[string]int{"pins": opts.Pins, "contexts": opts.Contexts, "workers": opts.Workers,
				"commit-every": opts.CommitEvery, "geth-pins": opts.GethPins} {
				if v == 0 {
					return &usageError{fmt.Errorf("--%s must be positive", flag)}
				}
			}
			return runSuite(cmd, a, "chain", asJSON, chainbench.ErrInvalidOptions, func(ctx context.Context, progress func(string)) ([]figure.Figure, error) {
				return chainbench.Run(ctx, opts, progress)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON object per figure")
	f.IntVar(&opts.Pins, "pins", chainbench.DefaultPins, "pins submitted and observed on the simulated chain")
	f.IntVar(&opts.Contexts, "contexts", chainbench.DefaultContexts, "contexts each pin carries")
	f.IntVar(&opts.Workers, "workers", chainbench.DefaultWorkers, "goroutines submitting concurrently")
	f.IntVar(&opts.CommitEvery, "commit-every", chainbench.DefaultCommitEvery, "submitted transactions per simulated block")
	f.BoolVar(&opts.Geth, "geth", false, "also measure chain.pins.geth against geth --dev (built into .tools/ on first use)")
	f.IntVar(&opts.GethPins, "geth-pins", chainbench.DefaultGethPins, "pins submitted and observed on geth")
	return cmd
}
