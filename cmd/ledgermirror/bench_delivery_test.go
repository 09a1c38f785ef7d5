package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBenchDeliverySmallRun runs the suite with tiny sizes and without
// NATS: every other figure is printed, positive, with its unit.
func TestBenchDeliverySmallRun(t *testing.T) {
	code, out, errOut := runCLI(t, nil, "bench", "delivery", "--events", "600", "--outbound-events", "100",
		"--nats-url", "", "--dir", t.TempDir(), "--json")
	require.Equal(t, exitOK, code, errOut)
	names := parseFigures(t, out)
	for _, n := range []string{"delivery.ws.replay", "delivery.gochannel", "delivery.ratio.gochannel", "delivery.webhook"} {
		assert.Contains(t, names, n)
	}
	assert.Len(t, names, 4)
	assert.Contains(t, errOut, "bench delivery: delivery.ws.replay: replaying 600 events from offset 0")
}

func TestBenchDeliveryUsageErrors(t *testing.T) {
	for name, args := range map[string][]string{
		"zero events":               {"--events", "0"},
		"negative events":           {"--events", "-1"},
		"zero outbound events":      {"--outbound-events", "0"},
		"more outbound than events": {"--events", "10", "--outbound-events", "11"},
		"extra argument":            {"extra"},
	} {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runCLI(t, nil, append([]string{"bench", "delivery"}, args...)...)
			assert.Equal(t, exitUsage, code, errOut)
			assert.Contains(t, errOut, "ledgermirror: ")
		})
	}
}
