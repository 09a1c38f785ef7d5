package main

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/memlimit"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
)

// devOptions are the dev network's flags.
type devOptions struct {
	members     int
	basePort    int
	memoryLimit int
}

func newDevCommand(a *app) *cobra.Command {
	var o devOptions
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a whole network on this machine: N members sharing one embedded chain",
		Long: "Runs --members member nodes (org1 ... orgN, each with node node1) in this process, sharing one\n" +
			"embedded chain. Each member has its own data directory under --data-dir, its own event store,\n" +
			"its API on 127.0.0.1:<base-port + i - 1> and its data-exchange endpoint on\n" +
			"127.0.0.1:<base-port + 100 + i - 1>; members reach each other only over loopback HTTP.\n" +
			"It prints one line per member, then \"network ready\" once every member has registered every\n" +
			"other. Stopping and starting again with the same --data-dir resumes the same network, even\n" +
			"after kill -9. Ctrl-C stops it.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.members < 1 || o.members > 50 {
				return &usageError{fmt.Errorf("--members %d: between 1 and 50", o.members)}
			}
			if o.basePort < 1024 || o.basePort+100+o.members > 65535 {
				return &usageError{fmt.Errorf("--base-port %d: the ports up to base-port+100+members must be within 1024..65535", o.basePort)}
			}
			if o.memoryLimit < -1 || (o.memoryLimit > 0 && o.memoryLimit < memlimit.Minimum) {
				return &usageError{fmt.Errorf("--memory-limit-mib %d: -1 (none), 0 (the default) or at least %d", o.memoryLimit, memlimit.Minimum)}
			}
			cfg, log, err := a.loadConfig()
			if err != nil {
				return err
			}
			return runDev(cmd.Context(), a, cfg, o, log)
		},
	}
	f := cmd.Flags()
	f.IntVar(&o.members, "members", 3, "number of member organisations")
	f.IntVar(&o.basePort, "base-port", 5000, "API port of org1; org i listens on base-port+i-1 (API) and base-port+100+i-1 (data exchange)")
	f.IntVar(&o.memoryLimit, "memory-limit-mib", 0, "soft limit on the Go runtime's memory in MiB (default: node.memoryLimitMiB if set, else 32 + 96 per member; -1: none; GOMEMLIMIT wins)")
	return cmd
}

func runDev(ctx context.Context, a *app, cfg config.Config, o devOptions, log zerolog.Logger) error {
	limit := o.memoryLimit
	if limit == 0 {
		limit = cfg.Node.MemoryLimitMiB
	}
	n, err := network.Start(ctx, network.Options{Members: o.members, BasePort: o.basePort, DataDir: cfg.Node.DataDir,
		Log: log, LogConfig: cfg.Log, Messaging: cfg.Messaging, MemoryLimitMiB: limit})
	if err != nil {
		return err
	}
	for _, m := range n.Members() {
		fmt.Fprintf(a.stdout, "member %s api=%s dx=%s\n", m.Org(), m.APIURL(), m.DataExchangeURL())
	}
	if err := n.WaitReady(ctx); err == nil {
		fmt.Fprintln(a.stdout, "network ready")
	}
	select {
	case <-ctx.Done():
	case <-n.Done():
	}
	failed := n.Failed()
	if err := n.Stop(); err != nil && failed == nil {
		return err
	}
	return failed
}
