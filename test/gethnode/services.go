package gethnode

import (
	"os"
	"testing"
)

// requireServicesEnv names the switch CI sets so that a missing service fails
// a test instead of skipping it.
const requireServicesEnv = "LM_REQUIRE_SERVICES"

// unavailable ends the test because geth cannot be had: a failure when
// services are required, a skip otherwise.
func unavailable(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv(requireServicesEnv) == "1" {
		t.Fatalf("geth required ("+requireServicesEnv+"=1) but unavailable: "+format, args...)
	}
	t.Skipf("geth unavailable (set "+requireServicesEnv+"=1 to fail instead): "+format, args...)
}
