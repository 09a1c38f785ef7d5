package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// benchSuites are the benchmark suites, in the order `bench all` runs
// them: each is also the subcommand `bench <name>`. A new suite is one
// line here.
var benchSuites = []func(*app) *cobra.Command{
	newBenchStoreCommand,
	newBenchAggregatorCommand,
	newBenchChainCommand,
	newBenchE2ECommand,
	newBenchQueryCommand,
	newBenchDeliveryCommand,
}

func newBenchAllCommand(a *app) *cobra.Command {
	var (
		asJSON    bool
		suiteArgs []string
		skip      []string
	)
	cmd := &cobra.Command{
		Use:   "all [--json] [--args 'SUITE=FLAGS']... [--skip SUITE,...]",
		Short: "Run every benchmark suite, one after another in this process, and print all figures",
		Long: "Runs the suites " + strings.Join(benchSuiteNames(a), ", ") + " in that order, each with its\n" +
			"defaults and the flags --args gives it (e.g. --args 'chain=--geth' --args 'store=--events 1000';\n" +
			"flags are split at spaces, no quoting), printing each suite's figures as it finishes. Every\n" +
			"suite's flags are parsed before the first one starts; a value a suite refuses (e.g. --events 0)\n" +
			"stops the run when its turn comes, as a usage error. A suite that fails does not stop the\n" +
			"others; the command then fails, naming it.",
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			runs, err := prepareBenchSuites(a, suiteArgs, skip, asJSON)
			if err != nil {
				return &usageError{err}
			}
			var failed []string
			for _, r := range runs {
				r.SetContext(cmd.Context())
				fmt.Fprintf(a.stderr, "bench all: %s\n", r.Name())
				if err := r.RunE(r, r.Flags().Args()); err != nil {
					var ue *usageError
					switch {
					case cmd.Context().Err() != nil:
						return fmt.Errorf("bench %s interrupted: %w", r.Name(), err)
					case errors.As(err, &ue):
						return &usageError{fmt.Errorf("--args %s: %w", r.Name(), err)}
					}
					fmt.Fprintf(a.stderr, "bench all: %s failed: %v\n", r.Name(), err)
					failed = append(failed, r.Name())
				}
			}
			if len(failed) > 0 {
				return fmt.Errorf("bench all: %d of %d suites failed: %s", len(failed), len(runs), strings.Join(failed, ", "))
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&asJSON, "json", false, "print one JSON object per figure")
	f.StringArrayVar(&suiteArgs, "args", nil, "SUITE=FLAGS: flags for one suite, e.g. 'e2e=--messages 1000' (repeatable)")
	f.StringSliceVar(&skip, "skip", nil, "suites not to run, comma-separated")
	return cmd
}

// benchSuiteNames lists the suites' names in order.
func benchSuiteNames(a *app) []string {
	names := make([]string, 0, len(benchSuites))
	for _, s := range benchSuites {
		names = append(names, s(a).Name())
	}
	return names
}

// prepareBenchSuites builds each suite's command with its flags parsed and
// checked, leaving out those skipped.
func prepareBenchSuites(a *app, suiteArgs, skip []string, asJSON bool) ([]*cobra.Command, error) {
	names := benchSuiteNames(a)
	for _, s := range skip {
		if !slices.Contains(names, s) {
			return nil, fmt.Errorf("--skip %q: no such suite (%s)", s, strings.Join(names, ", "))
		}
	}
	flags, err := parseSuiteArgs(suiteArgs, names)
	if err != nil {
		return nil, err
	}
	var runs []*cobra.Command
	for _, build := range benchSuites {
		c := build(a)
		if slices.Contains(skip, c.Name()) {
			if _, ok := flags[c.Name()]; ok {
				return nil, fmt.Errorf("--args %s: the suite is skipped", c.Name())
			}
			continue
		}
		args := flags[c.Name()]
		if asJSON {
			args = append([]string{"--json"}, args...)
		}
		if err := c.ParseFlags(args); err != nil {
			return nil, fmt.Errorf("--args %s: %w", c.Name(), err)
		}
		if err := c.ValidateArgs(c.Flags().Args()); err != nil {
			return nil, fmt.Errorf("--args %s: %w", c.Name(), err)
		}
		runs = append(runs, c)
	}
	if len(runs) == 0 {
		return nil, errors.New("--skip leaves no suite to run")
	}
	return runs, nil
}

// parseSuiteArgs reads --args values, SUITE=FLAGS with FLAGS split at
// white space, into each suite's arguments; a suite named twice gets both.
func parseSuiteArgs(values, suites []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, v := range values {
		suite, flags, ok := strings.Cut(v, "=")
		suite = strings.TrimSpace(suite)
		if !ok || !slices.Contains(suites, suite) {
			return nil, fmt.Errorf("--args %q: want SUITE=FLAGS with SUITE one of %s", v, strings.Join(suites, ", "))
		}
		out[suite] = append(out[suite], strings.Fields(flags)...)
	}
	return out, nil
}
