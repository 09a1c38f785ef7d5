//go:build integration

package eventstore_test

import (
	"os"
	"testing"

	"github.com/ledgermirror/ledgermirror/test/contract/eventstore"
)

// esdbURLEnv names the KurrentDB server the suite runs against.
const esdbURLEnv = "LM_ESDB_URL"

// TestKurrentDB runs the suite against a real KurrentDB (or EventStoreDB),
// each subtest under a stream prefix of its own, so one server serves any
// number of runs; the events stay on the server afterwards. It is skipped
// without LM_ESDB_URL, even under LM_REQUIRE_SERVICES=1: that requirement
// covers the services CI starts, and no KurrentDB server can be installed
// there.
func TestKurrentDB(t *testing.T) {
	url := os.Getenv(esdbURLEnv)
	if url == "" {
		t.Skip("no KurrentDB: run LM_ESDB_URL='esdb://localhost:2113?tls=false' go test -tags integration ./test/contract/eventstore/ -run KurrentDB " +
			"(skipped even under LM_REQUIRE_SERVICES=1: no KurrentDB server can be installed on the development machine or in CI)")
	}
	eventstore.Run(t, kurrentDBHarness(url))
}
