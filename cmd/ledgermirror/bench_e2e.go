package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/test/bench/e2ebench"
	"github.com/ledgermirror/ledgermirror/test/bench/figure"
)

func newBenchE2ECommand(a *app) *cobra.Command {
	var (
		asJSON     bool
		cpuProfile string
		memProfile string
		traceFile  string
		opts       e2ebench.Options
	)
	cmd := &cobra.Command{
		Use:   "e2e",
		Short: "A 3-member dev network end to end: messages through org1's API until every member confirmed them",
		Long: "Starts a 3-member network in this process (one embedded chain, loopback HTTP) and sends\n" +
			"messages through org1's REST API. A message counts once every member it is for has confirmed it.\n" +
			"e2e.broadcast.throughput: --messages broadcasts from --senders clients, first send to last\n" +
			"confirmation (target >= 5,000 msg/s). e2e.broadcast.p50_ms / p99_ms: --rate messages/s for\n" +
			"--paced-duration, open loop (target p99 < 500 ms). e2e.private.throughput: the same as the\n" +
			"broadcast throughput for a group of org1 and org2. e2e.rss_mb: the process's peak resident\n" +
			"memory (target < 500). e2e.idle.p50_ms: --idle-messages sent one at a time (target < 50 ms).\n" +
			"Fails if a message is rejected or not confirmed.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// e2ebench treats 0 as "use the default"; on the command line an
			// explicit 0 is a mistake. It validates everything else.
			for flag, v := range map[string]int{"messages": opts.Messages, "topics": opts.Topics,
				"payload-bytes": opts.PayloadBytes, "senders": opts.Senders, "rate": opts.Rate,
				"idle-messages": opts.IdleMessages} {
				if v == 0 {
					return &usageError{fmt.Errorf("--%s must be positive", flag)}
				}
			}
			for flag, v := range map[string]time.Duration{"paced-duration": opts.PacedDuration,
				"idle-pause": opts.IdlePause, "stall": opts.Stall} {
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
			if traceFile != "" {
				f, err := os.Create(traceFile)
				if err != nil {
					return err
				}
				defer f.Close()
				opts.Trace = f
			}
			if memProfile != "" {
				f, err := os.Create(memProfile)
				if err != nil {
					return err
				}
				defer f.Close()
				opts.HeapProfile = f
			}
			return runSuite(cmd, a, "e2e", asJSON, e2ebench.ErrInvalidOptions, func(ctx context.Context, progress func(string)) ([]figure.Figure, error) {
				return e2ebench.Run(ctx, opts, progress)
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON object per figure")
	f.IntVar(&opts.Messages, "messages", e2ebench.DefaultMessages, "broadcast messages of e2e.broadcast.throughput")
	f.IntVar(&opts.PrivateMessages, "private-messages", 0, "private messages of e2e.private.throughput (default: --messages)")
	f.IntVar(&opts.Topics, "topics", e2ebench.DefaultTopics, "topics the messages are spread over")
	f.IntVar(&opts.PayloadBytes, "payload-bytes", e2ebench.DefaultPayloadBytes, "size of each message's data value")
	f.IntVar(&opts.Senders, "senders", e2ebench.DefaultSenders, "concurrent HTTP clients sending to org1")
	f.IntVar(&opts.Rate, "rate", e2ebench.DefaultRate, "messages per second of the paced latency phase")
	f.DurationVar(&opts.PacedDuration, "paced-duration", e2ebench.DefaultPacedDuration, "how long the paced latency phase sends")
	f.IntVar(&opts.IdleMessages, "idle-messages", e2ebench.DefaultIdleMessages, "messages of e2e.idle.p50_ms, one at a time")
	f.DurationVar(&opts.IdlePause, "idle-pause", e2ebench.DefaultIdlePause, "pause after each idle message is confirmed")
	f.DurationVar(&opts.Stall, "stall", e2ebench.DefaultStall, "fail when no message is confirmed everywhere for this long")
	f.StringVar(&opts.Dir, "dir", "", "directory for the network's data (default: a temporary directory, removed afterwards)")
	f.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the broadcast throughput phase to this file")
	f.StringVar(&memProfile, "memprofile", "", "write a heap profile taken near the live Go heap's peak to this file")
	f.StringVar(&traceFile, "trace", "", "write an execution trace of 5 s of the broadcast throughput phase to this file")
	_ = f.MarkHidden("cpuprofile")
	_ = f.MarkHidden("trace")
	_ = f.MarkHidden("memprofile")
	return cmd
}
