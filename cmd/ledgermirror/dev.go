package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"golang.org/x/sync/errgroup"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/embedded"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/member"
)

// devOptions are the dev network's flags.
type devOptions struct {
	members  int
	basePort int
}

func newDevCommand(a *app) *cobra.Command {
	var o devOptions
	cmd := &cobra.Command{
		Use:   "dev",
		Short: "Run a whole network on this machine: N members sharing one embedded chain",
		Long: "Runs --members member nodes (org1 ... orgN, each with node node1) in this process, sharing one\n" +
			"embedded chain. Each member has its own data directory under --data-dir, its own event store,\n" +
			"its API on 127.0.0.1:<base-port + i> and its data-exchange endpoint on 127.0.0.1:<base-port + 100 + i>;\n" +
			"members reach each other only over loopback HTTP. Stopping and starting again with the same\n" +
			"--data-dir resumes the same network. Ctrl-C stops it.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.members < 1 || o.members > 50 {
				return &usageError{fmt.Errorf("--members %d: between 1 and 50", o.members)}
			}
			if o.basePort < 1024 || o.basePort+100+o.members > 65535 {
				return &usageError{fmt.Errorf("--base-port %d: the ports up to base-port+100+members must be within 1024..65535", o.basePort)}
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
	return cmd
}

// devMemberConfig is member i's (1-based) configuration in a dev network.
func devMemberConfig(base config.Config, dir string, i, basePort int) (config.Config, error) {
	c := config.Defaults()
	c.Log = base.Log
	c.Messaging = base.Messaging
	c.Node.Org = fmt.Sprintf("org%d", i)
	c.Node.Name = "node1"
	c.Node.DataDir = filepath.Join(dir, c.Node.Org)
	c.API.Listen = fmt.Sprintf("127.0.0.1:%d", basePort+i-1)
	c.DataExchange.Listen = fmt.Sprintf("127.0.0.1:%d", basePort+100+i-1)
	return c, c.Complete()
}

func runDev(ctx context.Context, a *app, base config.Config, o devOptions, log zerolog.Logger) error {
	dir := base.Node.DataDir
	chainLog := log.With().Str("component", "embedded-chain").Logger()
	c, err := embedded.Start(embedded.Config{DataDir: filepath.Join(dir, "chain")}, chainLog)
	if err != nil {
		return fmt.Errorf("starting the embedded chain: %w", err)
	}
	defer func() {
		if err := c.Close(); err != nil {
			log.Error().Err(err).Msg("closing the embedded chain")
		}
	}()
	members := make([]*member.Member, o.members)
	for i := range members {
		m, err := startDevMember(ctx, base, dir, i+1, o.basePort, c, log)
		if err != nil {
			for _, started := range members[:i] {
				_ = started.Close()
			}
			return err
		}
		members[i] = m
	}
	g, gctx := errgroup.WithContext(ctx)
	for _, m := range members {
		g.Go(func() error { return m.Run(gctx) })
		fmt.Fprintf(a.stdout, "member %s api=%s dx=%s\n", m.Org(), m.APIURL(), m.DataExchangeURL())
	}
	g.Go(func() error {
		if waitRegistered(gctx, members) {
			fmt.Fprintln(a.stdout, "network ready")
		}
		return nil
	})
	if err := g.Wait(); err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

func startDevMember(ctx context.Context, base config.Config, dir string, i, basePort int, c *embedded.Chain, log zerolog.Logger) (*member.Member, error) {
	cfg, err := devMemberConfig(base, dir, i, basePort)
	if err != nil {
		return nil, err
	}
	key, err := member.LoadOrCreateSigningKey(cfg.Chain.KeyFile)
	if err != nil {
		return nil, err
	}
	ch, err := member.OnEmbedded(ctx, c, []string{cfg.Namespaces[0].Name}, crypto.PubkeyToAddress(key.PublicKey))
	if err != nil {
		return nil, err
	}
	m, err := member.New(ctx, cfg, ch, log.With().Str("member", cfg.Node.Org).Logger())
	if err != nil {
		return nil, fmt.Errorf("member %s: %w", cfg.Node.Org, err)
	}
	return m, nil
}

// waitRegistered waits until every member knows every member's org and
// node; false if ctx ended first.
func waitRegistered(ctx context.Context, members []*member.Member) bool {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		all := true
		for _, m := range members {
			if m.KnownMembers() < len(members) {
				all = false
				break
			}
		}
		if all {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
}
