package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchE2ESmallRun runs the whole suite on a real 3-member network with
// tiny sizes: every figure is printed, positive, with its unit.
func TestBenchE2ESmallRun(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "bench", "e2e", "--messages", "300", "--private-messages", "100",
		"--rate", "200", "--paced-duration", "1s", "--idle-messages", "5", "--idle-pause", "10ms",
		"--senders", "8", "--stall", "15s", "--dir", t.TempDir(), "--json")
	require.Equal(t, exitOK, code, errOut)
	names := parseFigures(t, out)
	for _, n := range []string{"e2e.broadcast.throughput", "e2e.broadcast.p50_ms", "e2e.broadcast.p99_ms",
		"e2e.private.throughput", "e2e.rss_mb", "e2e.idle.p50_ms"} {
		assert.Contains(t, names, n)
	}
	assert.Len(t, names, 6)
	assert.Contains(t, errOut, "bench e2e:", "progress goes to stderr")
	assert.Contains(t, errOut, "bench e2e: broadcast: 300 messages confirmed on all")
}

func TestBenchE2EUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"zero messages":     {"--messages", "0"},
		"negative messages": {"--messages", "-1"},
		"zero rate":         {"--rate", "0"},
		"too many senders":  {"--senders", "100000"},
		"zero duration":     {"--paced-duration", "0s"},
		"short duration":    {"--paced-duration", "1ms"},
		"negative pause":    {"--idle-pause", "-1s"},
		"big payload":       {"--payload-bytes", "10000000"},
		"extra argument":    {"extra"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, append([]string{"bench", "e2e"}, args...)...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Contains(t, errOut, "ledgermirror: ")
		})
	}
}
