package main

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"github.com/ledgermirror/ledgermirror/adapters/chain/ethereum/embedded"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/memlimit"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/network"
)

func newServeCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "Run one member node from its configuration (--config FILE)",
		Long: "Runs one member node: event store, chain connector, aggregator, data exchange and API, as\n" +
			"the configuration says (see `ledgermirror config` for every setting and its default).\n" +
			"With chain.driver embedded the node runs its own chain in <dataDir>/chain; with chain.driver\n" +
			"ethereum it uses chain.rpc and each namespace's contract. Ctrl-C stops it.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, log, err := a.loadConfig()
			if err != nil {
				return err
			}
			return runServe(cmd.Context(), a, cfg, log)
		},
	}
}

func runServe(ctx context.Context, a *app, cfg config.Config, log zerolog.Logger) error {
	if set, undo := memlimit.Apply(cfg.Node.MemoryLimitMiB); set > 0 {
		defer undo()
		log.Info().Int("mib", set).Msg("soft memory limit set for the Go runtime")
	}
	key, err := network.LoadOrCreateSigningKey(cfg.Chain.KeyFile)
	if err != nil {
		return err
	}
	var ch network.Chain
	switch cfg.Chain.Driver {
	case config.ChainEmbedded:
		c, err := embedded.Start(embedded.Config{DataDir: filepath.Join(cfg.Node.DataDir, "chain")},
			log.With().Str("component", "embedded-chain").Logger())
		if err != nil {
			return fmt.Errorf("starting the embedded chain: %w", err)
		}
		defer func() { _ = c.Close() }()
		names := make([]string, len(cfg.Namespaces))
		for i, ns := range cfg.Namespaces {
			names[i] = ns.Name
		}
		if ch, err = network.OnEmbedded(ctx, c, names, crypto.PubkeyToAddress(key.PublicKey)); err != nil {
			return err
		}
	default:
		if ch, err = dialChain(ctx, cfg); err != nil {
			return err
		}
	}
	m, err := network.New(ctx, cfg, ch, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "member %s api=%s dx=%s\n", m.Org(), m.APIURL(), m.DataExchangeURL())
	return m.Run(ctx)
}

// dialChain connects to a JSON-RPC node; every namespace needs its contract.
func dialChain(ctx context.Context, cfg config.Config) (network.Chain, error) {
	contracts := map[string]common.Address{}
	for i, ns := range cfg.Namespaces {
		if ns.Contract == "" {
			return network.Chain{}, &usageError{fmt.Errorf("namespaces[%d].contract: required with chain.driver ethereum (deploy one with `ledgermirror contracts deploy`)", i)}
		}
		contracts[ns.Name] = common.HexToAddress(ns.Contract)
	}
	client, err := ethclient.DialContext(ctx, cfg.Chain.RPC)
	if err != nil {
		return network.Chain{}, fmt.Errorf("connecting to %s: %w", cfg.Chain.RPC, err)
	}
	u, _ := url.Parse(cfg.Chain.RPC)
	return network.Chain{Client: client, ChainID: cfg.Chain.ChainID, Contracts: contracts,
		Polling: u.Scheme == "http" || u.Scheme == "https"}, nil
}
