package main

import (
	"errors"
	"io"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/config"
	"github.com/ledgermirror/ledgermirror/cmd/ledgermirror/internal/logging"
)

// usageError marks errors the user can fix by changing arguments or config.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// globalFlags are the flags every command accepts, mapped to config paths.
var globalFlags = map[string]string{
	"log-format": "log.format",
	"log-level":  "log.level",
	"data-dir":   "node.dataDir",
}

// app carries what every command needs once flags are parsed.
type app struct {
	stdout, stderr io.Writer
	env            []string
	configFile     string
	flags          *pflag.FlagSet
}

// loadConfig reads the configuration the user asked for and builds the logger.
func (a *app) loadConfig() (config.Config, zerolog.Logger, error) {
	set := map[string]string{}
	for flag, path := range globalFlags {
		if f := a.flags.Lookup(flag); f != nil && f.Changed {
			set[path] = f.Value.String()
		}
	}
	cfg, unused, err := config.Load(config.Source{File: a.configFile, Env: a.env, Flags: set})
	if err != nil {
		if errors.Is(err, config.ErrInvalidConfig) {
			return config.Config{}, zerolog.Nop(), &usageError{err}
		}
		return config.Config{}, zerolog.Nop(), err
	}
	log := logging.New(cfg.Log, a.stderr)
	if len(unused) > 0 {
		log.Debug().Str("variables", strings.Join(unused, ",")).Msg("ignoring LM_ environment variables that name no setting")
	}
	return cfg, log, nil
}

func newRootCommand(stdout, stderr io.Writer, env []string) *cobra.Command {
	a := &app{stdout: stdout, stderr: stderr, env: env}
	root := &cobra.Command{
		Use:   "ledgermirror",
		Short: "An event-sourced multiparty node for business networks on a shared chain",
		Long: "ledgermirror exchanges messages between member organisations, pins them to a chain in\n" +
			"batches, and turns the chain's order into one agreed sequence of confirmed messages.\n\n" +
			"Configuration: defaults < YAML file (--config) < LM_* environment < flags.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	pf := root.PersistentFlags()
	pf.StringVar(&a.configFile, "config", "", "YAML configuration file")
	pf.String("log-format", logging.FormatJSON, "log format: json or console")
	pf.String("log-level", "info", "log level: trace, debug, info, warn, error")
	pf.String("data-dir", "data", "directory for the node's files")
	a.flags = pf
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(newVersionCommand(a), newConfigCommand(a), newBenchCommand(a), newContractsCommand(a), newChainCommand(a), newDevCommand(a), newServeCommand(a), newRebuildCommand(a), newReplayCommand(a),
		newExportCommand(a), newVerifyCommand(a))
	return root
}

// noArgs rejects positional arguments with a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return &usageError{errors.New(cmd.CommandPath() + " takes no arguments, got " + strings.Join(args, " "))}
	}
	return nil
}
