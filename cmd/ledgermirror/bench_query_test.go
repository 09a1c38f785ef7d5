package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchQuerySmallRun runs the whole suite with tiny sizes: every figure
// is printed, positive, with its unit.
func TestBenchQuerySmallRun(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "bench", "query", "--events", "800", "--messages", "500",
		"--requests", "50", "--count-requests", "10", "--searches", "20", "--dir", t.TempDir(), "--json")
	require.Equal(t, exitOK, code, errOut)
	names := parseFigures(t, out)
	for _, n := range []string{"query.rebuild", "query.messages.p50_ms", "query.messages.p99_ms",
		"query.messages.count.p99_ms", "query.search.index", "query.search.p99_ms", "query.rss_mb"} {
		assert.Contains(t, names, n)
	}
	assert.Len(t, names, 7)
	assert.Contains(t, errOut, "bench query: event store: 800 events appended")
}

func TestBenchQueryUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"zero events":       {"--events", "0"},
		"too few events":    {"--events", "5"},
		"negative messages": {"--messages", "-1"},
		"zero clients":      {"--clients", "0"},
		"too many clients":  {"--clients", "100000"},
		"zero searches":     {"--searches", "0"},
		"extra argument":    {"extra"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, append([]string{"bench", "query"}, args...)...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Contains(t, errOut, "ledgermirror: ")
		})
	}
}
