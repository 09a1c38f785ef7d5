package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ledgermirror/ledgermirror/test/bench/figure"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func runCLI(t *testing.T, env []string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut, env)
	return code, out.String(), errOut.String()
}

func TestVersion(t *testing.T) {
	code, out, _ := runCLI(t, nil, "version")
	require.Equal(t, exitOK, code)
	assert.True(t, strings.HasPrefix(out, "ledgermirror "), out)

	code, out, _ = runCLI(t, nil, "version", "--json")
	require.Equal(t, exitOK, code)
	var v versionInfo
	require.NoError(t, json.Unmarshal([]byte(out), &v))
	assert.Equal(t, "github.com/ledgermirror/ledgermirror", v.Module)
	assert.NotEmpty(t, v.Go)
}

func TestConfigShowAppliesEveryLayer(t *testing.T) {
	file := filepath.Join(t.TempDir(), "lm.yaml")
	require.NoError(t, os.WriteFile(file, []byte("node:\n  org: acme\n"), 0o600))
	code, out, errOut := runCLI(t, []string{"LM_NODE_NAME=n2"}, "--config", file, "--data-dir", "/srv/x", "config", "show")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "org: acme")
	assert.Contains(t, out, "name: n2")
	assert.Contains(t, out, "path: /srv/x/events.db")
}

func TestUsageErrorsExitWithCode2(t *testing.T) {
	for name, args := range map[string][]string{
		"unknown command":  {"frobnicate"},
		"unknown flag":     {"version", "--nope"},
		"extra argument":   {"version", "extra"},
		"bad config value": {"--log-format", "xml", "config", "show"},
		"missing file":     {"--config", "/nonexistent/lm.yaml", "config", "show"},
		"bad bench count":  {"bench", "store", "--events", "0"},
		"bad synchronous":  {"bench", "store", "--synchronous", "sometimes"},
		"negative events":  {"bench", "store", "--events", "-3"},
		"messages, sqlite": {"bench", "store", "--messages", "1000"},
		"zero messages":    {"bench", "store", "--driver", "postgres", "--url", "postgres://x", "--messages", "0"},
		"negative msgs":    {"bench", "store", "--driver", "postgres", "--url", "postgres://x", "--messages", "-1"},
		"zero pins":        {"bench", "aggregator", "--pins", "0"},
		"negative pins":    {"bench", "aggregator", "--pins", "-1"},
		"contexts > pins":  {"bench", "aggregator", "--pins", "10", "--contexts", "11"},
		"one unpark pin":   {"bench", "aggregator", "--unpark-pins", "1"},
		"zero chain pins":  {"bench", "chain", "--pins", "0"},
		"chain contexts":   {"bench", "chain", "--contexts", "1001"},
		"zero workers":     {"bench", "chain", "--workers", "0"},
		"tiny dev limit":   {"dev", "--memory-limit-mib", "10"},
		"dev limit < -1":   {"dev", "--memory-limit-mib", "-2"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, args...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Contains(t, errOut, "ledgermirror: ")
		})
	}
}

func TestNodeMemoryLimitIsValidated(t *testing.T) {
	code, _, errOut := runCLI(t, []string{"LM_NODE_MEMORYLIMITMIB=10"}, "config", "show")
	assert.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "node.memoryLimitMiB 10")
	code, out, errOut := runCLI(t, []string{"LM_NODE_MEMORYLIMITMIB=512"}, "config", "show")
	require.Equal(t, exitOK, code, errOut)
	assert.Contains(t, out, "memoryLimitMiB: 512")
}

func TestConsoleLogFormat(t *testing.T) {
	var out bytes.Buffer
	a := &app{stdout: &out, stderr: &out, env: []string{"LM_LOG_FORMAT=console", "LM_LOG_LEVEL=debug", "LM_UNUSED_THING=1"}}
	root := newRootCommand(&out, &out, a.env)
	require.NoError(t, root.ParseFlags(nil))
	a.flags = root.PersistentFlags()
	_, log, err := a.loadConfig()
	require.NoError(t, err)
	log.Info().Msg("hello")
	assert.Contains(t, out.String(), "LM_UNUSED_THING", "unused variables are reported at debug level")
	assert.NotContains(t, out.String(), `"message":"hello"`, "console format is not JSON")
	assert.Contains(t, out.String(), "hello")
}

func TestBenchStoreSmallRun(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "bench", "store", "--events", "500", "--json", "--dir", t.TempDir())
	require.Equal(t, exitOK, code, errOut)
	names := parseFigures(t, out)
	for _, n := range []string{"store.append.single", "store.append.batched", "store.readall",
		"store.subscribe.catchup", "store.raw_insert.batched", "store.append.ratio"} {
		assert.Contains(t, names, n)
	}
	assert.Contains(t, errOut, "bench store:", "progress goes to stderr")

	code, out, _ = runCLI(t, nil, "bench", "store", "--events", "200", "--dir", t.TempDir())
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `(?m)^BENCH store\.readall=[0-9.e+]+ events/s$`, out)
}

func TestBenchAggregatorSmallRun(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "bench", "aggregator", "--pins", "500", "--contexts", "20",
		"--unpark-pins", "50", "--unpark-runs", "1", "--json")
	require.Equal(t, exitOK, code, errOut)
	names := parseFigures(t, out)
	for _, n := range []string{"aggregator.pins", "aggregator.pins.alloc_bytes_per_pin", "aggregator.unpark",
		"aggregator.unpark.100", "aggregator.unpark.ratio"} {
		assert.Contains(t, names, n)
	}
	assert.Contains(t, errOut, "bench aggregator:", "progress goes to stderr")

	code, out, _ = runCLI(t, nil, "bench", "aggregator", "--pins", "200", "--contexts", "5",
		"--unpark-pins", "20", "--unpark-runs", "1")
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `(?m)^BENCH aggregator\.pins=[0-9.e+]+ pins/s$`, out)
}

func TestBenchChainSmallRun(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "bench", "chain", "--pins", "50", "--commit-every", "7", "--json")
	require.Equal(t, exitOK, code, errOut)
	names := parseFigures(t, out)
	assert.Contains(t, names, "chain.pins.simulated")
	assert.NotContains(t, names, "chain.pins.geth", "only with --geth")
	assert.Contains(t, errOut, "bench chain:", "progress goes to stderr")

	code, out, _ = runCLI(t, nil, "bench", "chain", "--pins", "20", "--contexts", "2")
	require.Equal(t, exitOK, code)
	assert.Regexp(t, `(?m)^BENCH chain\.pins\.simulated=[0-9.e+]+ pins/s$`, out)
}

// parseFigures reads `bench --json` output: one figure per line, each with
// a positive value and a unit.
func parseFigures(t *testing.T, out string) map[string]float64 {
	t.Helper()
	names := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var f figure.Figure
		require.NoError(t, json.Unmarshal([]byte(line), &f), line)
		names[f.Name] = f.Value
		assert.Positive(t, f.Value, f.Name)
		assert.NotEmpty(t, f.Unit)
	}
	return names
}
