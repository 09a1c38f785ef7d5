package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchAllRunsEverySuite: every `bench` subcommand but all is a suite
// all runs.
func TestBenchAllRunsEverySuite(t *testing.T) {
	a := &app{}
	var subcommands []string
	for _, c := range newBenchCommand(a).Commands() {
		if c.Name() != "all" {
			subcommands = append(subcommands, c.Name())
		}
	}
	names := benchSuiteNames(a)
	slices.Sort(subcommands)
	sorted := slices.Sorted(slices.Values(names))
	assert.Equal(t, subcommands, sorted)
	assert.Equal(t, []string{"store", "aggregator", "chain", "e2e", "query", "delivery"}, names, "the order all runs them in")
}

// TestBenchAllSmallRun runs every suite with tiny sizes: each prints its
// figures, in the order of the suites.
func TestBenchAllSmallRun(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "bench", "all", "--json",
		"--args", "store=--events 200 --dir "+t.TempDir(),
		"--args", "aggregator=--pins 200 --contexts 5 --unpark-pins 20 --unpark-runs 1",
		"--args", "chain=--pins 20 --contexts 2",
		"--args", "e2e=--messages 100 --private-messages 50 --rate 100 --paced-duration 1s --idle-messages 3",
		"--args", "e2e=--idle-pause 10ms --senders 4 --stall 15s --dir "+t.TempDir(),
		"--args", "query=--events 800 --messages 300 --requests 30 --count-requests 10 --searches 10 --dir "+t.TempDir(),
		"--args", "delivery=--events 300 --outbound-events 50 --nats-url= --dir "+t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	figures := parseFigures(t, out)
	var order []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		suite := strings.SplitN(strings.TrimPrefix(line, `{"name":"`), ".", 2)[0]
		if len(order) == 0 || order[len(order)-1] != suite {
			order = append(order, suite)
		}
	}
	assert.Equal(t, []string{"store", "aggregator", "chain", "e2e", "query", "delivery"}, order, "%v", figures)
	for _, suite := range order {
		assert.Contains(t, errOut, "bench all: "+suite+"\n")
	}
}

func TestBenchAllUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown suite":        {"--args", "nope=--events 1"},
		"no equals sign":       {"--args", "store"},
		"unknown suite flag":   {"--args", "store=--nope"},
		"bad suite flag value": {"--args", "store=--events many"},
		"suite argument":       {"--args", "chain=extra"},
		"unknown skip":         {"--skip", "nope"},
		"skip everything":      {"--skip", "store,aggregator,chain,e2e,query,delivery"},
		"args of skipped":      {"--skip", "e2e", "--args", "e2e=--messages 10"},
		"refused by the suite": {"--skip", "aggregator,chain,e2e,query,delivery", "--args", "store=--events 0"},
		"extra argument":       {"extra"},
	} {
		t.Run(name, func(t *testing.T) {
			code, out, errOut := runCLI(t, nil, append([]string{"bench", "all"}, args...)...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Contains(t, errOut, "ledgermirror: ")
			assert.Empty(t, out)
		})
	}
}

func TestParseSuiteArgs(t *testing.T) {
	got, err := parseSuiteArgs([]string{"store=--events 10  --dir /x", " chain =--geth", "store=--json"},
		[]string{"store", "chain"})
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{"store": {"--events", "10", "--dir", "/x", "--json"}, "chain": {"--geth"}}, got)
	_, err = parseSuiteArgs([]string{"=--x"}, []string{"store"})
	assert.Error(t, err)
}

// FuzzParseSuiteArgs: --args values are refused or split into flags
// without white space, for named suites only.
func FuzzParseSuiteArgs(f *testing.F) {
	f.Add("store=--events 10 --dir /tmp/x")
	f.Add("chain= --geth\t")
	f.Add("=")
	f.Fuzz(func(t *testing.T, v string) {
		got, err := parseSuiteArgs([]string{v}, []string{"store", "chain"})
		if err != nil {
			return
		}
		for suite, flags := range got {
			if suite != "store" && suite != "chain" {
				t.Fatalf("%q gave suite %q", v, suite)
			}
			for _, fl := range flags {
				if fl == "" || strings.ContainsAny(fl, " \t\n") {
					t.Fatalf("%q gave flag %q", v, fl)
				}
			}
		}
	})
}
