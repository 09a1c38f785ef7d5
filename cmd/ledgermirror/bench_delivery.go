package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/test/bench/deliverybench"
	"github.com/ledgermirror/ledgermirror/test/bench/figure"
)

func newBenchDeliveryCommand(a *app) *cobra.Command {
	var (
		asJSON bool
		opts   deliverybench.Options
	)
	cmd := &cobra.Command{
		Use:   "delivery",
		Short: "Event delivery: a replay to a WebSocket client, GoChannel as a baseline, webhooks, NATS JetStream",
		Long: "Projects a node's generated log of --events confirmed messages into a new SQLite read model,\n" +
			"then measures: delivery.ws.replay: every message_confirmed event replayed from offset 0\n" +
			"through the real API to a WebSocket client with autoack (target >= 50,000 events/s).\n" +
			"delivery.gochannel: the same payloads through Watermill's GoChannel; delivery.ratio.gochannel\n" +
			"is the first divided by the second. delivery.webhook / delivery.nats: the first\n" +
			"--outbound-events events delivered by the outbound routers to a local webhook receiver that\n" +
			"verifies the signatures, and to NATS JetStream at --nats-url (empty: not measured).",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// deliverybench treats 0 as "use the default"; on the command
			// line an explicit 0 is a mistake. It validates everything else.
			for flag, v := range map[string]int{"events": opts.Events, "outbound-events": opts.OutboundEvents} {
				if v == 0 {
					return &usageError{fmt.Errorf("--%s must be positive", flag)}
				}
			}
			return runSuite(cmd, a, "delivery", asJSON, deliverybench.ErrInvalidOptions,
				func(ctx context.Context, progress func(string)) ([]figure.Figure, error) {
					return deliverybench.Run(ctx, opts, progress)
				})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON object per figure")
	f.IntVar(&opts.Events, "events", deliverybench.DefaultEvents, "confirmed messages in the log, each one message_confirmed event replayed")
	f.IntVar(&opts.OutboundEvents, "outbound-events", deliverybench.DefaultOutboundEvents, "events delivered to the webhook receiver and to NATS (at most --events)")
	f.StringVar(&opts.NATSURL, "nats-url", "nats://127.0.0.1:4222", "NATS server with JetStream for delivery.nats; empty leaves it out")
	f.StringVar(&opts.Dir, "dir", "", "directory for the benchmark's files (default: a temporary directory, removed afterwards)")
	return cmd
}
