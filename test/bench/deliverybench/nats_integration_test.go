//go:build integration

package deliverybench

import (
	"net"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSmallRunNATS runs the whole suite against this machine's NATS
// (127.0.0.1:4222, JetStream); without it the test is skipped, or fails
// under LM_REQUIRE_SERVICES=1.
func TestSmallRunNATS(t *testing.T) {
	const addr = "127.0.0.1:4222"
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		if os.Getenv("LM_REQUIRE_SERVICES") == "1" {
			t.Fatalf("NATS required (LM_REQUIRE_SERVICES=1) but unavailable at %s: %v", addr, err)
		}
		t.Skipf("NATS unavailable at %s (set LM_REQUIRE_SERVICES=1 to fail instead): %v", addr, err)
	}
	_ = conn.Close()
	results := runSmall(t, "nats://"+addr)
	require.Len(t, results, 5)
	assert.Equal(t, NameNATS, results[4].Name)
	assert.Positive(t, results[4].Value)
}
